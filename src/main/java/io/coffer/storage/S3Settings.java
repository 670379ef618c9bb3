package io.coffer.storage;

import java.util.Objects;

/**
 * Where the object storage of an {@link S3BlobStore} is and how to write to it.
 * @param region the bucket's region; S3Proxy and MinIO accept any, AWS needs the right one
 * @param partSize bytes per multipart part, at least {@link #MINIMUM_PART_SIZE}
 * @param createBucket create the bucket on {@link S3BlobStore#start()} if it is missing
 */
public record S3Settings(String endpoint, String accessKey, String secretKey, String bucket, String region, int partSize,
		boolean createBucket) {

	/** S3 refuses parts smaller than 5 MiB, except the last one. */
	public static final int MINIMUM_PART_SIZE = 5 * 1024 * 1024;

	/**
	 * 16 MiB parts reach S3's limit of 10,000 parts at about 156 GiB, beyond the largest
	 * Redis dump we serve, while two buffers of them stay small next to the heap.
	 */
	public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;

	public S3Settings {
		Objects.requireNonNull(endpoint, "endpoint");
		Objects.requireNonNull(accessKey, "accessKey");
		Objects.requireNonNull(secretKey, "secretKey");
		Objects.requireNonNull(bucket, "bucket");
		if (bucket.length() < 3) {
			throw new IllegalArgumentException("bucket name '" + bucket + "' is too short: S3 needs 3 to 63 characters");
		}
		if (partSize < MINIMUM_PART_SIZE) {
			throw new IllegalArgumentException("part size " + partSize + " is below S3's minimum of " + MINIMUM_PART_SIZE + " bytes");
		}
	}

	/** 16 MiB parts, region us-east-1, the bucket created when missing. */
	public static S3Settings of(String endpoint, String accessKey, String secretKey, String bucket) {
		return new S3Settings(endpoint, accessKey, secretKey, bucket, "us-east-1", DEFAULT_PART_SIZE, true);
	}

	public S3Settings withRegion(String region) {
		return new S3Settings(this.endpoint, this.accessKey, this.secretKey, this.bucket, region, this.partSize, this.createBucket);
	}

	public S3Settings withPartSize(int partSize) {
		return new S3Settings(this.endpoint, this.accessKey, this.secretKey, this.bucket, this.region, partSize, this.createBucket);
	}

	public S3Settings withCreateBucket(boolean createBucket) {
		return new S3Settings(this.endpoint, this.accessKey, this.secretKey, this.bucket, this.region, this.partSize, createBucket);
	}

	public S3Settings withCredentials(String accessKey, String secretKey) {
		return new S3Settings(this.endpoint, accessKey, secretKey, this.bucket, this.region, this.partSize, this.createBucket);
	}

	public S3Settings withBucket(String bucket) {
		return new S3Settings(this.endpoint, this.accessKey, this.secretKey, bucket, this.region, this.partSize, this.createBucket);
	}

	@Override
	public String toString() {
		// never the secret key
		return "S3Settings[endpoint=" + this.endpoint + ", accessKey=" + this.accessKey + ", bucket=" + this.bucket
				+ ", region=" + this.region + ", partSize=" + this.partSize + ", createBucket=" + this.createBucket + "]";
	}

}
