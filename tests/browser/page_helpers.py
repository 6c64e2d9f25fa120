"""What several browser tests read off the page: the iteration counter, too-small text."""

from __future__ import annotations

DIAGRAM = "[data-testid=network-diagram]"

SMALL_TEXT = """(min) => {
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min - 0.01) {
      const cls = typeof el.className === 'string' ? el.className : el.className.baseVal;
      small.push(`${el.tagName}.${cls} ${size}px "${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  return small;
}"""
"""Every rendered element with text of its own (Plotly's SVG <text> included) whose computed
font-size is under `min`: "tag.class size "text"" each."""


def iteration(page) -> int:
    """The iteration counter's value."""
    return int(page.get_by_test_id("iteration").get_attribute("data-value") or 0)


def wait_iteration(page, predicate: str) -> None:
    """Wait until `predicate` holds for n, the iteration counter (a JS expression)."""
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=iteration]');"
        f" const n = Number(el.dataset.value || 0); return {predicate}; }}"
    )


def address(page) -> str:
    """The page's address now. Playwright's `page.url` learns of a pushState or replaceState
    from an event that may come after the next step of a test; `location.href` is the page's own."""
    return page.evaluate("location.href")
