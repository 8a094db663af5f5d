'use strict';
// The built console (`npm run build` writes it); the registry serves this folder at /console/.
exports.consoleDir = require('node:path').join(__dirname, 'dist');
