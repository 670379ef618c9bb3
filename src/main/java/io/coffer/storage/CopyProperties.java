package io.coffer.storage;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * A second S3-compatible store that holds a copy of every done backup, as it is stored (encrypted); off
 * while {@code endpoint} is empty. Another bucket, region or provider than {@code coffer.s3}: a copy in the
 * same bucket would be the same object.
 * @param endpoint the second store, e.g. {@code https://s3.eu-west-3.amazonaws.com}; no copy when empty
 * @param accessKey the second store's access key
 * @param secretKey the second store's secret key
 * @param bucket bucket of the copies (created when missing)
 * @param region region of the copies' bucket
 * @param partSize bytes of one multipart-upload part of a copy: the memory one running copy holds
 */
@Validated
@ConfigurationProperties("coffer.copy")
public record CopyProperties(
		@Pattern(regexp = "(https?://.*)?", message = "must be an http:// or https:// URL such as https://s3.eu-west-3.amazonaws.com")
		String endpoint,
		String accessKey, String secretKey,
		@Pattern(regexp = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", message = "must be a valid bucket name of 3 to 63 lower-case letters, digits, dots and dashes")
		@DefaultValue("coffer-backups-copy") String bucket,
		@DefaultValue("us-east-1") String region,
		@Min(value = 5 * 1024 * 1024, message = "must be at least 5 MiB (5242880), the S3 minimum part size")
		@DefaultValue("16777216") int partSize) {

	public CopyProperties {
		endpoint = (endpoint != null) ? endpoint.trim() : "";
		accessKey = (accessKey != null) ? accessKey : "";
		secretKey = (secretKey != null) ? secretKey : "";
	}

	public boolean isConfigured() {
		return !this.endpoint.isBlank();
	}

}
