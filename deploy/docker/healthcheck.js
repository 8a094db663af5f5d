// The image's HEALTHCHECK: 0 when the service answers 200 on /health. The port is PORT from
// the container's environment, else the one the entrypoint gave PID 1 (the service itself).
const fs = require('node:fs');

function servicePort() {
  if (process.env.PORT) return process.env.PORT;
  try {
    const environ = fs.readFileSync('/proc/1/environ', 'utf8').split('\0');
    return environ.find((entry) => entry.startsWith('PORT='))?.slice('PORT='.length);
  } catch {
    return undefined;
  }
}

const port = servicePort();
if (!port) process.exit(1);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
