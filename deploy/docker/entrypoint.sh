#!/bin/sh
# Starts the service named by the first argument with its package's Node options
# (`ficus.nodeOptions` in its package.json, e.g. the gateway's young-generation size) and
# environment defaults (`ficus.env`, e.g. MALLOC_ARENA_MAX; a variable already set wins);
# later arguments go to the service. exec: node is PID 1 and gets SIGTERM itself.
set -eu
# The image's code sits beside this script (/app).
app=$(cd "$(dirname "$0")" && pwd)
service="${1:-}"
[ "$#" -gt 0 ] && shift
case "$service" in
  gateway) dir=gateway port=4000 ;;
  registry) dir=schema-registry port=4100 ;;
  users) dir=subgraphs/users port=4001 ;;
  products) dir=subgraphs/products port=4002 ;;
  inventory) dir=subgraphs/inventory port=4003 ;;
  orders) dir=subgraphs/orders port=4004 ;;
  payments) dir=subgraphs/payments port=4005 ;;
  notifications) dir=subgraphs/notifications port=4006 ;;
  legacy-shop) dir=subgraphs/legacy-shop port=4007 ;;
  monolith) dir=monolith port=4000 ;;
  ficus) exec node "$app/schema-registry/dist/src/cli.js" "$@" ;;
  *)
    echo "usage: <gateway|registry|users|products|inventory|orders|payments|notifications|legacy-shop|monolith> [args…] | ficus <command> [options]" >&2
    exit 64
    ;;
esac
# The health check reads PORT from this process's environment (it is PID 1 after exec).
export PORT="${PORT:-$port}"
# Each line is `export NAME="${NAME:-value}"`: the package's values are plain words (checked by its tests).
eval "$(node -e 'for (const [k, v] of Object.entries(require(process.argv[1]).ficus?.env ?? {})) process.stdout.write(`export ${k}="\${${k}:-${v}}"\n`)' "$app/$dir/package.json")"
node_options=$(node -e 'const o = require(process.argv[1]).ficus?.nodeOptions ?? []; process.stdout.write(o.join(" "))' "$app/$dir/package.json")
# shellcheck disable=SC2086 # the options are separate words, each an --option without spaces
exec node $node_options "$app/$dir/dist/src/main.js" "$@"
