# syntax=docker/dockerfile:1
# The gardefou image: the static (musl) binary alone, for copying into other images.
#
#   docker build -t gardefou .
#   # in any Debian- or Alpine-based image (node:22-bookworm-slim, node:22-alpine…):
#   COPY --from=gardefou /gardefou /usr/local/bin/gardefou
#
# TLS roots are compiled in (webpki-roots), so the binary needs no CA bundle from the image.
FROM rust:1.89-alpine AS build
# musl-dev is the one of the image's Alpine release, which the image tag pins.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin gardefou \
 && cp target/release/gardefou /gardefou \
 && /gardefou --version

FROM scratch
COPY --from=build /gardefou /gardefou
USER 65534:65534
ENTRYPOINT ["/gardefou"]
