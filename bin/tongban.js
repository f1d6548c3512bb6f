#!/usr/bin/env node
// Entry of the `tongban` command; the build (npm run build) produces dist/.
require('../dist/cli/index.js');
