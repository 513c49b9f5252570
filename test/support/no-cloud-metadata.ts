/**
 * Jest setup for every test file: Google's auth library must never probe the cloud metadata server from a test
 * (it waits on a network that is not there). `.ci/run` sets the same; this covers `npm test` run by hand.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
