#pragma once
// S3 addressing and credentials as the AWS CLI knows them: s3://BUCKET/KEY
// maps to a virtual-hosted AWS URL, or path-style under --endpoint-url;
// requests are signed with libcurl's SigV4 from the environment or
// ~/.aws/credentials (AWS_PROFILE), or sent unsigned (--no-sign-request).
#include <cstdint>
#include <string>
#include <vector>

#include "io/http_client.h"

namespace pixeldrill::io {

struct S3Location {
  std::string bucket, key;
};

// false unless `uri` starts with s3:// and names a bucket.
bool parse_s3_uri(const std::string& uri, S3Location* out);
// The same, throwing a bad-request Error naming `uri` when it is not one.
S3Location s3_location(const std::string& uri);

// A request for the object (or, with an empty key, the bucket) with `query`
// already canonical (sorted names, encoded values), signed unless anonymous.
HttpRequest s3_request(const S3Location& where, const std::string& method,
                       const std::string& query = "");

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag, last_modified;
};

// Every object under `prefix`, following continuation tokens; `page_size`
// (max-keys) exists so tests can exercise several pages cheaply.
std::vector<S3Object> s3_list(const std::string& bucket, const std::string& prefix,
                              unsigned page_size = 1000);

// Uploads one object in a single PUT (S3 makes it visible atomically).
// `headers` e.g. {"x-amz-acl: public-read"}.
void s3_put(const S3Location& where, const std::string& body,
            const std::vector<std::string>& headers = {});
void s3_delete(const S3Location& where);

// AWS's URI encoding: everything but A-Za-z0-9-._~ (and '/' when kept).
std::string aws_uri_encode(const std::string& text, bool keep_slash);

}  // namespace pixeldrill::io
