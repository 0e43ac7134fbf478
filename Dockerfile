# kvraft container image: kvraft (the member), kvraft-agent (the discovery
# agent, the entrypoint) and kvraftctl (the CLI).
#
#   docker build -t kvraft .
#   docker run -d -p 2379:2379 -p 2380:2380 -v kvraft-data:/var/lib/kvraft kvraft \
#     --name infra0 --initial-advertise-peer-urls http://10.0.1.10:2380 \
#     --advertise-client-urls http://10.0.1.10:2379 \
#     --discovery https://discovery.example.com/<token>
#
# The build stage compiles on Debian 12 with the packages `make deps` installs
# (scripts/deps.sh build). The runtime stage needs only the shared libraries;
# it starts FROM ${RUNTIME_BASE}, so it also builds on a base made locally (the
# container tests do that, with a base that already holds the libraries and
# RUNTIME_PACKAGES set empty, since nothing can be pulled there).
ARG BUILD_BASE=debian:bookworm
ARG RUNTIME_BASE=debian:bookworm-slim

FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN scripts/deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make -j"$(nproc)" build/bin/kvraft build/bin/kvraft-agent build/bin/kvraftctl

FROM ${RUNTIME_BASE} AS runtime
# The runtime halves of the -dev packages the build stage links against, and
# curl for the health check.
ARG RUNTIME_PACKAGES="libcpp-httplib0.11 libyaml-cpp0.7 libsqlite3-0 libssl3 libc-ares2 libcrypt1 curl ca-certificates"
# A fixed id, so a host directory mounted as the data dir can be chowned to it.
ARG KVRAFT_UID=2379
RUN if [ -n "$RUNTIME_PACKAGES" ]; then \
      apt-get update && apt-get install -y --no-install-recommends $RUNTIME_PACKAGES && \
      rm -rf /var/lib/apt/lists/*; \
    fi && \
    groupadd --system --gid "$KVRAFT_UID" kvraft && \
    useradd --system --uid "$KVRAFT_UID" --gid kvraft --home-dir /var/lib/kvraft \
      --no-create-home --shell /usr/sbin/nologin kvraft && \
    mkdir -p /var/lib/kvraft && chown kvraft:kvraft /var/lib/kvraft && chmod 700 /var/lib/kvraft
COPY --from=build /src/build/bin/kvraft /src/build/bin/kvraft-agent /src/build/bin/kvraftctl /usr/local/bin/

# Members listen on every interface of the container; advertise URLs, the name
# and the bootstrap source come from the command line. The default data dir,
# <name>.kvraft, lands in the volume; compose files pass --data-dir
# /var/lib/kvraft. Flags given on the command line must not repeat these
# variables (etcd refuses a flag shadowed by its ETCD_* variable).
ENV ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379 \
    ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380
WORKDIR /var/lib/kvraft
VOLUME /var/lib/kvraft
EXPOSE 2379 2380
USER kvraft:kvraft
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:2379/health"]
# The agent finds the peers (--discovery, --discovery-srv or a static
# --initial-cluster) and then exec's kvraft with the same flags.
ENTRYPOINT ["/usr/local/bin/kvraft-agent"]
