package io.coffer.storage;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * S3-compatible object storage. Without an endpoint, an in-process S3 server runs over the data folder.
 * @param endpoint object storage, e.g. {@code http://minio:9000}; an in-process S3 server when empty
 * @param accessKey the object storage's access key
 * @param secretKey the object storage's secret key
 * @param bucket bucket (created when missing)
 * @param region region
 * @param partSize bytes of one multipart-upload part: the memory one running upload holds
 */
@Validated
@ConfigurationProperties("coffer.s3")
public record S3Properties(
		@Pattern(regexp = "(https?://.*)?", message = "must be an http:// or https:// URL such as http://minio:9000")
		String endpoint,
		String accessKey, String secretKey,
		@Pattern(regexp = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", message = "must be a valid bucket name of 3 to 63 lower-case letters, digits, dots and dashes")
		@DefaultValue("coffer-backups") String bucket,
		@DefaultValue("us-east-1") String region,
		@Min(value = 5 * 1024 * 1024, message = "must be at least 5 MiB (5242880), the S3 minimum part size")
		@DefaultValue("16777216") int partSize) {

	public S3Properties {
		endpoint = (endpoint != null) ? endpoint.trim() : "";
		accessKey = (accessKey != null) ? accessKey : "";
		secretKey = (secretKey != null) ? secretKey : "";
	}

	public boolean isEmbedded() {
		return this.endpoint.isBlank();
	}

}
