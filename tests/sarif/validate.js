// Validates a SARIF file against the official SARIF 2.1.0 JSON schema, as shipped in
// the npm package @microsoft/jest-sarif (validated with ajv 6, which reads draft-04).
// Usage: node validate.js MODULES_DIR FILE.sarif
const dir = require("path").join(process.argv[2], "@microsoft/jest-sarif/");
const ajvDir = require("path").join(process.argv[2], "ajv/");
const Ajv = require(ajvDir);
const schema = require(dir + "lib/schemas/sarif-2.1.0-rtm.5.json");
const ajv = new Ajv({ schemaId: "id", allErrors: true, unknownFormats: "ignore" });
ajv.addMetaSchema(require(ajvDir + "lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);
const doc = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
if (!validate(doc)) { console.error(JSON.stringify(validate.errors, null, 1)); process.exit(1); }
console.log(`valid SARIF 2.1.0: ${doc.runs[0].results.length} results`);
