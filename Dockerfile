# nnplay: the playground server. Build: docker build -t nnplay .  Run: docker run -p 8000:8000 nnplay
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/nnplay

# Dependencies first, read from pyproject.toml itself at the versions of constraints.txt, so
# this layer is rebuilt only when they change, not on every source edit. The "images" extra
# (h5py) too: classrooms upload the course's .h5 image sets.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['images']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt -c constraints.txt \
    && rm /tmp/requirements.txt

# The wheel, built from the source by the pinned build backend: the same artefact as
# `pip install .` gives, with static/ and templates/ inside the app package.
FROM base AS build
WORKDIR /src
RUN pip install --no-cache-dir -c /srv/nnplay/constraints.txt hatchling
COPY pyproject.toml README.md LICENSE ./
COPY engine ./engine
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /dist .

# The server: the dependencies' layer and the installed wheel (not editable), no source tree.
FROM base
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir --no-deps /tmp/dist/nnplay-*.whl \
    && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin nnplay

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=2)"]
CMD ["nnplay", "serve", "--host", "0.0.0.0", "--port", "8000"]
