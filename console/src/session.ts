// The key lives in sessionStorage: it survives a reload but not the tab, and never leaves this origin.
const storageKey = 'ficus.registryKey';

export const storedKey = (): string | null => sessionStorage.getItem(storageKey);
export const storeKey = (key: string): void => sessionStorage.setItem(storageKey, key);
export const forgetKey = (): void => sessionStorage.removeItem(storageKey);

/** Dispatched on window when the registry stops accepting the stored key. */
export const signedOutEvent = 'ficus:signed-out';
