/** The folder of the built console: index.html and its assets. Missing until `npm run build`. */
export declare const consoleDir: string;
