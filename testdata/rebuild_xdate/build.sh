#!/bin/sh
# Build with today's date (UTC, day resolution) as main.date: the same all day, different tomorrow.
set -e
"$GO" build -ldflags "-X main.date=$(date -u +%Y-%m-%d)" -o "$OUT" .
