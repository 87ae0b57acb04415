#!/usr/bin/env node
const { ensureBuilt, ensureInstalled } = require('./ensure');

ensureInstalled();
ensureBuilt();
require('../dist/main.js');
