// `node launch-platform.js`: `node dist/main.js` with the paged peer's test-only descriptor in the
// catalogue (PAGED_PEER_PER_PAGE records a page), for tests that need the platform as its own process.
'use strict';
const { join } = require('node:path');
const { pagedPeerDescriptor } = require('./index');

const dist = join(__dirname, '..', '..', '..', 'dist');
require(join(dist, 'modules', 'vendor-catalogue')).VENDOR_DESCRIPTORS.push(pagedPeerDescriptor(Number(process.env.PAGED_PEER_PER_PAGE ?? 100)));
require(join(dist, 'main'));
