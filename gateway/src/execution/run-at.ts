/** Runs `action` at `time` (ms since the epoch) unless cancelled; setTimeout alone cannot wait longer than about 24 days. */
export function runAt(time: number, action: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const wait = time - Date.now();
    timer = wait > longestTimeoutMs ? setTimeout(arm, longestTimeoutMs) : setTimeout(action, Math.max(0, wait));
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

const longestTimeoutMs = 2 ** 31 - 1;
