package io.coffer.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

import io.coffer.system.ServiceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The object storage: the S3 endpoint at {@code coffer.s3.endpoint}, or an in-process S3 server over
 * {@code <data-dir>/objects} reached through the very same client code.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

	@Bean(destroyMethod = "close")
	EmbeddedStorage embeddedStorage(S3Properties s3, ServiceProperties service) throws IOException {
		if (!s3.isEmbedded()) {
			return new EmbeddedStorage(null);
		}
		Path folder = service.dataDir().resolve("objects").toAbsolutePath();
		Files.createDirectories(folder);
		HexFormat hex = HexFormat.of();
		SecureRandom random = new SecureRandom();
		byte[] secret = new byte[20];
		random.nextBytes(secret);
		EmbeddedS3Server server = new EmbeddedS3Server(folder, 0, "coffer-embedded", hex.formatHex(secret)).start();
		log.info("No COFFER_S3_ENDPOINT: serving backups from an in-process S3 server over {} at {}", folder,
				server.endpoint());
		return new EmbeddedStorage(server);
	}

	@Bean(destroyMethod = "close")
	S3BlobStore blobStore(S3Properties s3, EmbeddedStorage embedded) {
		S3Settings settings = embedded.isRunning()
				? S3Settings.of(embedded.server.endpoint(), embedded.server.accessKey(),
						embedded.server.secretKey(), s3.bucket())
				: S3Settings.of(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.bucket())
					.withRegion(s3.region());
		S3BlobStore store = new S3BlobStore(settings.withPartSize(s3.partSize()));
		try {
			store.start();
		}
		catch (IOException ex) {
			// The service still starts: the API answers, health says what is wrong, and backups
			// fail with this same sentence until the storage is back.
			log.error("Object storage is not usable yet: {}", ex.getMessage());
		}
		return store;
	}

	/**
	 * The second store of {@code coffer.copy}, or none. Like the primary, a store that does not answer at
	 * start-up does not keep the service from starting: copies wait as {@code pending} or {@code error}, and
	 * the bucket is made on the first copy that reaches it.
	 */
	@Bean(destroyMethod = "close")
	CopyStore copyStore(CopyProperties copy, S3Properties s3) {
		if (!copy.isConfigured()) {
			return CopyStore.none();
		}
		if (copy.endpoint().equals(s3.endpoint()) && copy.bucket().equals(s3.bucket())) {
			throw new IllegalStateException("coffer.copy names the bucket '" + copy.bucket() + "' at " + copy.endpoint()
					+ ", where the backups themselves are: the copy must be in another bucket or store");
		}
		S3BlobStore store = new S3BlobStore(S3Settings.of(copy.endpoint(), copy.accessKey(), copy.secretKey(),
				copy.bucket()).withRegion(copy.region()).withPartSize(copy.partSize()));
		CopyStore copies = CopyStore.of(store);
		try {
			copies.ready();
			log.info("A copy of every backup goes to {}", store);
		}
		catch (IOException ex) {
			log.error("The copy store is not usable yet: {}", ex.getMessage());
		}
		return copies;
	}

	@Bean
	HealthIndicator objectStorageHealthIndicator(BlobStore store) {
		return () -> {
			try {
				store.checkReachable();
				return Health.up().build();
			}
			catch (IOException ex) {
				return Health.down().withDetail("error", String.valueOf(ex.getMessage())).build();
			}
		};
	}

	/** The in-process S3 server of the embedded default, or nothing. */
	static final class EmbeddedStorage implements AutoCloseable {

		private final EmbeddedS3Server server;

		EmbeddedStorage(EmbeddedS3Server server) {
			this.server = server;
		}

		boolean isRunning() {
			return this.server != null;
		}

		@Override
		public void close() {
			if (this.server != null) {
				this.server.close();
			}
		}

	}

}
