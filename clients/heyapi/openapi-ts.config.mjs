// The third-party client: @hey-api/openapi-ts's own defaults (types, SDK
// functions and its fetch runtime), from the committed document as is.
export default {
  input: '../../openapi/openapi.json',
  output: 'src/client',
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
};
