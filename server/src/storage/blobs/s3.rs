//! Blobs in an S3-compatible bucket through the `object_store` crate: stored content at
//! `blobs/<sha256>`, uploads at `uploads/<id>`. An upload goes up in 5 MiB parts (the
//! smallest S3 allows), one at a time, so one part is all it holds in memory; a
//! smaller file is one plain PUT. Committing is a server-side copy.

use std::ops::Range;

use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, MultipartUpload, ObjectStore, PutPayloadMut};

use super::{BlobKey, BlobStore, BlobWriter, ByteStream, S3Spec};
use crate::storage::WriteTx;

const PART: usize = 5 * 1024 * 1024;

pub struct S3BlobStore {
    store: std::sync::Arc<AmazonS3>,
}

impl S3BlobStore {
    pub fn new(spec: &S3Spec) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&spec.bucket)
            .with_region(&spec.region)
            .with_access_key_id(&spec.access_key_id)
            .with_secret_access_key(&spec.secret_access_key);
        if let Some(endpoint) = &spec.endpoint {
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(token) = &spec.session_token {
            builder = builder.with_token(token);
        }
        let store = builder.build().context("ORDINAVO_BLOB_STORE: configuring the S3 store")?;
        Ok(Self { store: std::sync::Arc::new(store) })
    }
}

fn path_of(key: &BlobKey) -> Path {
    match key {
        BlobKey::Stored(sha) => Path::from(format!("blobs/{sha}")),
        BlobKey::Staged(id) => Path::from(format!("uploads/{id}")),
    }
}

struct S3Writer {
    store: std::sync::Arc<AmazonS3>,
    key: BlobKey,
    buffer: PutPayloadMut,
    /// Started once the first full part is there.
    multipart: Option<Box<dyn MultipartUpload>>,
}

impl S3Writer {
    async fn send_part(&mut self) -> anyhow::Result<()> {
        let part = std::mem::replace(&mut self.buffer, PutPayloadMut::new()).freeze();
        if self.multipart.is_none() {
            self.multipart =
                Some(self.store.put_multipart(&path_of(&self.key)).await.context("starting an S3 upload")?);
        }
        let upload = self.multipart.as_mut().context("an S3 upload")?;
        upload.put_part(part).await.context("uploading a part to S3")
    }
}

#[async_trait::async_trait]
impl BlobWriter for S3Writer {
    fn key(&self) -> &BlobKey {
        &self.key
    }

    async fn write(&mut self, mut chunk: &[u8]) -> anyhow::Result<()> {
        while !chunk.is_empty() {
            let take = chunk.len().min(PART - self.buffer.content_length());
            self.buffer.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.buffer.content_length() == PART {
                self.send_part().await?;
            }
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        if self.multipart.is_none() {
            let payload = std::mem::replace(&mut self.buffer, PutPayloadMut::new()).freeze();
            self.store.put(&path_of(&self.key), payload).await.context("uploading to S3")?;
            return Ok(());
        }
        if self.buffer.content_length() > 0 {
            self.send_part().await?;
        }
        let upload = self.multipart.as_mut().context("an S3 upload")?;
        upload.complete().await.context("completing an S3 upload")?;
        Ok(())
    }

    async fn abort(mut self: Box<Self>) {
        if let Some(upload) = self.multipart.as_mut() {
            if let Err(err) = upload.abort().await {
                tracing::warn!(error = ?err, "could not abort an S3 upload; a bucket lifecycle rule must");
            }
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn create(&self) -> anyhow::Result<Box<dyn BlobWriter>> {
        Ok(Box::new(S3Writer {
            store: self.store.clone(),
            key: BlobKey::new_staged(),
            buffer: PutPayloadMut::new(),
            multipart: None,
        }))
    }

    async fn commit(&self, _tx: &mut WriteTx, staged: &BlobKey, sha256: &str) -> anyhow::Result<BlobKey> {
        let key = BlobKey::stored(sha256)?;
        // Copying over identical content also renews its modification time, which orphan collection reads.
        self.store.copy(&path_of(staged), &path_of(&key)).await.context("copying an upload into place")?;
        self.delete(staged).await?;
        Ok(key)
    }

    async fn read(&self, key: &BlobKey, range: Range<u64>) -> anyhow::Result<ByteStream> {
        if range.is_empty() {
            return Ok(futures_util::stream::empty().boxed());
        }
        let options = GetOptions { range: Some(GetRange::Bounded(range)), ..GetOptions::default() };
        let result = self.store.get_opts(&path_of(key), options).await.with_context(|| format!("reading {key:?}"))?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn contains(&self, key: &BlobKey) -> anyhow::Result<bool> {
        match self.store.head(&path_of(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(err).context("looking for a blob in S3"),
        }
    }

    async fn list_older_than(&self, before_ms: i64) -> anyhow::Result<Vec<BlobKey>> {
        let mut keys = Vec::new();
        let mut objects = self.store.list(None);
        while let Some(object) = objects.try_next().await.context("listing the S3 bucket")? {
            let name = object.location.filename().unwrap_or_default();
            let key = match object.location.prefix_match(&Path::from("uploads")) {
                Some(_) => BlobKey::staged(name),
                None => BlobKey::stored(name),
            };
            // Objects that are not ours (another prefix, another tool) are left alone.
            let Ok(key) = key else { continue };
            if path_of(&key) == object.location && object.last_modified.timestamp_millis() < before_ms {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// A HEAD of an object that never exists: "not found" proves the bucket answers.
    async fn ready(&self) -> anyhow::Result<()> {
        match self.store.head(&Path::from("readyz")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err).context("reaching the S3 bucket"),
        }
    }

    async fn delete(&self, key: &BlobKey) -> anyhow::Result<()> {
        match self.store.delete(&path_of(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err).context("deleting a blob from S3"),
        }
    }
}
