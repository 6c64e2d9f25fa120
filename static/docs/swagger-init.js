// Starts Swagger UI on /docs. A file, not an inline script: the app's Content-Security-Policy
// runs scripts from this server only. The page names the OpenAPI document in data-openapi-url.
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // Swagger UI would otherwise ask validator.swagger.io for a badge: nothing leaves the machine.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
