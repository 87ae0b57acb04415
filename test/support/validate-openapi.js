// Validates the OpenAPI document read from stdin with @apidevtools/swagger-parser (schema and references).
// A process of its own: the parser loads an ES module, which Node requires natively but Jest's runtime cannot.
// Exit code 0 when valid; otherwise the parser's message on stderr.
const SwaggerParser = require('@apidevtools/swagger-parser');

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (text += chunk));
process.stdin.on('end', () => {
  SwaggerParser.validate(JSON.parse(text)).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
});
