// Stub of the original's src/app.js (resize each .jpg named in the SQS batch): the spec is what this folder tests.
exports.handler = async (event) => event;
