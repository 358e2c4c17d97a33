/// The OpenAPI document served at `/openapi.json`; `docs/openapi.json` holds the same text (a test keeps them equal).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.0.3",
  "info": {"title": "Strata feature server", "version": "0.1.0", "description": "Feast-compatible online feature API plus Strata's native routes. Errors are {\"error\": {\"code\", \"message\"}}."},
  "servers": [{"url": "http://127.0.0.1:6566"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "Scalar": {"nullable": true, "oneOf": [{"type": "string"}, {"type": "number"}, {"type": "integer"}, {"type": "boolean"}]},
      "FeastRequest": {"type": "object", "required": ["entities"], "properties": {
        "entities": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Scalar"}}},
        "feature_service": {"type": "string"},
        "features": {"type": "array", "items": {"type": "string"}},
        "full_feature_names": {"type": "boolean"}}},
      "FeastResponse": {"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"feature_names": {"type": "array", "items": {"type": "string"}}}},
        "results": {"type": "array", "items": {"type": "object", "properties": {
          "values": {"type": "array", "items": {"$ref": "#/components/schemas/Scalar"}},
          "statuses": {"type": "array", "items": {"type": "string", "enum": ["PRESENT", "NOT_FOUND", "OUTSIDE_MAX_AGE"]}},
          "event_timestamps": {"type": "array", "items": {"type": "string"}}}}}}},
      "NativeRequest": {"type": "object", "required": ["entities"], "properties": {
        "service": {"type": "string"},
        "features": {"type": "array", "items": {"type": "string"}},
        "entities": {"type": "array", "items": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Scalar"}}},
        "at": {"type": "string", "description": "RFC 3339 instant at which the TTL rule is applied (default now)"}}},
      "NativeResponse": {"type": "object", "properties": {
        "features": {"type": "array", "items": {"type": "string"}},
        "at": {"type": "string"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
          "entity": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Scalar"}},
          "values": {"type": "array", "items": {"$ref": "#/components/schemas/Scalar"}},
          "statuses": {"type": "array", "items": {"type": "string", "enum": ["present", "not_found", "expired"]}},
          "event_timestamps": {"type": "array", "items": {"type": "string", "nullable": true}}}}}}},
      "PushRequest": {"type": "object", "required": ["df"], "properties": {
        "push_source_name": {"type": "string"}, "view": {"type": "string"},
        "df": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Scalar"}}},
        "to": {"type": "string", "enum": ["online", "offline", "online_and_offline"]}}},
      "PushResponse": {"type": "object", "properties": {
        "request_id": {"type": "string", "description": "The push's id: its rows' lineage and quarantine name push:REQUEST_ID"},
        "source": {"type": "string"}, "change": {"type": "string", "enum": ["new", "unchanged"], "description": "unchanged: the same rows were pushed before and nothing was added"},
        "content_sha256": {"type": "string"},
        "pushed": {"type": "array", "items": {"type": "object", "properties": {"view": {"type": "string"}, "rows_accepted": {"type": "integer"},
          "rows_quarantined": {"type": "integer"}, "online_written": {"type": "integer"}, "quarantine": {"type": "array", "items": {"type": "string"}}}}}}},
      "Status": {"type": "object", "properties": {"status": {"type": "string"}}}
    },
    "responses": {
      "Error400": {"description": "Bad request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Error401": {"description": "Missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Error404": {"description": "Unknown service, view or listing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Error413": {"description": "Body too large (the connection is closed after the answer)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Error503": {"description": "Busy: too many pushes at once, or another writer held the store's lock; retry after Retry-After seconds", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Error507": {"description": "The store's disk or LMDB map is full", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "security": [{}, {"bearer": []}],
  "paths": {
    "/get-online-features": {"post": {"summary": "Feast-compatible online lookup (column-major, entity columns first)",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeastRequest"}}}},
      "responses": {"200": {"description": "Feature values", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeastResponse"}}}},
        "400": {"$ref": "#/components/responses/Error400"}, "401": {"$ref": "#/components/responses/Error401"}, "404": {"$ref": "#/components/responses/Error404"}, "413": {"$ref": "#/components/responses/Error413"}}}},
    "/v1/features": {"post": {"summary": "Native online lookup (row-major)",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NativeRequest"}}}},
      "responses": {"200": {"description": "Feature values per entity row", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NativeResponse"}}}},
        "400": {"$ref": "#/components/responses/Error400"}, "401": {"$ref": "#/components/responses/Error401"}, "404": {"$ref": "#/components/responses/Error404"}, "413": {"$ref": "#/components/responses/Error413"}}}},
    "/push": {"post": {"summary": "Write fresh rows to the offline and online stores",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}}},
      "responses": {"200": {"description": "What was written", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResponse"}}}},
        "400": {"$ref": "#/components/responses/Error400"}, "401": {"$ref": "#/components/responses/Error401"}, "404": {"$ref": "#/components/responses/Error404"}, "413": {"$ref": "#/components/responses/Error413"},
        "503": {"$ref": "#/components/responses/Error503"}, "507": {"$ref": "#/components/responses/Error507"}}}},
    "/registry/{kind}": {"get": {"summary": "Read-only registry listing with versions",
      "parameters": [{"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["services", "views", "features", "entities"]}}],
      "responses": {"200": {"description": "Listing", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
        "401": {"$ref": "#/components/responses/Error401"}, "404": {"$ref": "#/components/responses/Error404"}}}},
    "/v1/lineage/openlineage": {"get": {"summary": "OpenLineage 2-0-2 run events of every recorded run (ingest, push, materialize, historical, check) as JSON Lines, the same as `strata lineage --export openlineage`",
      "parameters": [{"name": "since", "in": "query", "required": false, "description": "Only events at or after this instant (RFC 3339)", "schema": {"type": "string", "format": "date-time"}},
        {"name": "job", "in": "query", "required": false, "description": "Only runs of these jobs (repeatable)", "style": "form", "explode": true,
         "schema": {"type": "array", "items": {"type": "string", "enum": ["ingest", "materialize", "push", "historical", "check"]}}}],
      "responses": {"200": {"description": "One OpenLineage RunEvent per line", "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
        "400": {"$ref": "#/components/responses/Error400"}, "401": {"$ref": "#/components/responses/Error401"}}}},
    "/health": {"get": {"summary": "Liveness (never needs a token)", "security": [{}],
      "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}},
    "/ready": {"get": {"summary": "Readiness: the stores are open",
      "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}, "401": {"$ref": "#/components/responses/Error401"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics",
      "responses": {"200": {"description": "Text exposition", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Error401"}}}},
    "/openapi.json": {"get": {"summary": "This document",
      "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Error401"}}}}
  }
}

"""#
}
