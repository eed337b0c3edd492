# closet: the HTTP API in one image. By itself it runs the embedded profile, SQLite in /data:
#   docker build -t closet . && docker run -p 8000:8000 -v closet-data:/data closet
# docker-compose.yml runs it on the production profile: Postgres and MongoDB.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 closet \
    && useradd --system --uid 10001 --gid closet --home-dir /data --no-create-home closet \
    && install -d -o closet -g closet /data

# Install the package (the Alembic migrations are package data and come with it), then drop the sources.
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && cd / && rm -rf /build

USER closet
WORKDIR /data
ENV CLOSET_DATA_DIR=/data
# glibc keeps freed image buffers unless told not to (see src/closet/entrypoints/process.py);
# set here, they apply from the interpreter's first allocation
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=4194304

EXPOSE 8000
# slim has no curl: ask /health with the standard library (urlopen fails on anything but 2xx).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["closet", "serve", "--host", "0.0.0.0", "--port", "8000"]
