//! `ORDINAVO_BLOB_STORE`: `fs`, `database` or `s3://bucket?endpoint=…&region=…`.

/// Which blob store to use, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobStoreSpec {
    Fs,
    Database,
    S3(S3Spec),
}

/// An S3 bucket and how to reach it; credentials come from the usual AWS variables.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Spec {
    pub bucket: String,
    /// For S3-compatible servers; AWS itself when absent.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// Never prints the secret.
impl std::fmt::Debug for S3Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Spec")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// A configuration problem, naming the variable at fault.
#[derive(Debug, PartialEq, Eq)]
pub struct SpecError {
    pub name: &'static str,
    pub message: String,
}

impl BlobStoreSpec {
    /// Parses the variable's value; `lookup` reads the AWS credential variables.
    pub fn parse(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SpecError> {
        let bad = |message: String| SpecError { name: "ORDINAVO_BLOB_STORE", message };
        match text.trim() {
            "fs" => return Ok(Self::Fs),
            "database" => return Ok(Self::Database),
            _ => {}
        }
        let Some(rest) = text.trim().strip_prefix("s3://") else {
            return Err(bad(format!("expected fs, database or s3://bucket?endpoint=…&region=…, got {text:?}")));
        };
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        let bucket = bucket.trim_end_matches('/');
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(bad(format!("{bucket:?} is not an S3 bucket name (3 to 63 of a-z, 0-9, '-' and '.')")));
        }
        let (mut endpoint, mut region) = (None, None);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "endpoint" if value.starts_with("http://") || value.starts_with("https://") => {
                    endpoint = Some(value.trim_end_matches('/').to_string())
                }
                "endpoint" => return Err(bad(format!("endpoint must be an http:// or https:// URL, got {value:?}"))),
                "region" if !value.is_empty() => region = Some(value.into_owned()),
                other => return Err(bad(format!("unknown or empty S3 option {other:?}; use endpoint and region"))),
            }
        }
        let credential = |name: &'static str| {
            lookup(name).ok_or(SpecError { name, message: "required when ORDINAVO_BLOB_STORE is s3://…".into() })
        };
        Ok(Self::S3(S3Spec {
            bucket: bucket.to_string(),
            endpoint,
            region: region.unwrap_or_else(|| "us-east-1".into()),
            access_key_id: credential("AWS_ACCESS_KEY_ID")?,
            secret_access_key: credential("AWS_SECRET_ACCESS_KEY")?,
            session_token: lookup("AWS_SESSION_TOKEN"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_keys(name: &str) -> Option<String> {
        matches!(name, "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY").then(|| "k".to_string())
    }

    #[test]
    fn names_stores_and_s3_options() {
        assert_eq!(BlobStoreSpec::parse("fs", with_keys), Ok(BlobStoreSpec::Fs));
        assert_eq!(BlobStoreSpec::parse("database", with_keys), Ok(BlobStoreSpec::Database));
        let Ok(BlobStoreSpec::S3(s3)) =
            BlobStoreSpec::parse("s3://files.eu?endpoint=http://127.0.0.1:9000/&region=eu-central-1", with_keys)
        else {
            panic!("an s3 spec");
        };
        assert_eq!(s3.bucket, "files.eu");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s3.region, "eu-central-1");
        assert!(!format!("{s3:?}").contains("secret_access_key"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = BlobStoreSpec::parse("disk", with_keys).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_BLOB_STORE");
        for bad in ["s3://", "s3://Bucket_1", "s3://files?endpoint=ftp://x", "s3://files?prefix=a"] {
            assert_eq!(BlobStoreSpec::parse(bad, with_keys).unwrap_err().name, "ORDINAVO_BLOB_STORE", "{bad}");
        }
        let err = BlobStoreSpec::parse("s3://files", |_| None).unwrap_err();
        assert_eq!(err.name, "AWS_ACCESS_KEY_ID");
    }
}
