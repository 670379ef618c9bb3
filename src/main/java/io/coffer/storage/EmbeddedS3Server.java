package io.coffer.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;

/**
 * An S3 server in this process (S3Proxy over jclouds' {@code filesystem} provider) that
 * keeps its buckets as folders under a base folder: the object storage of the embedded
 * default, reached through {@link S3BlobStore} exactly as a production MinIO is.
 * <p>
 * Its Jetty threads are not daemons: {@link #stop()} (or {@link #close()}) it explicitly.
 * It can be started again after a stop, on the same port, over the same folder.
 * <p>
 * S3Proxy, jclouds and the shaded Jetty log at DEBUG when nothing says otherwise; the
 * service's logging configuration must set {@code org.gaul}, {@code org.jclouds},
 * {@code jclouds} and {@code org.gaul.shaded.org.eclipse.jetty} to WARN.
 */
public class EmbeddedS3Server implements AutoCloseable {

	private static final String LISTEN_ADDRESS = "127.0.0.1";

	private final Path baseDirectory;

	private final String accessKey;

	private final String secretKey;

	private int port;

	private BlobStoreContext context;

	private S3Proxy proxy;

	/**
	 * @param port the port to listen on, {@code 0} for a free one (kept across restarts)
	 */
	public EmbeddedS3Server(Path baseDirectory, int port, String accessKey, String secretKey) {
		this.baseDirectory = baseDirectory.toAbsolutePath().normalize();
		this.port = port;
		this.accessKey = accessKey;
		this.secretKey = secretKey;
	}

	public synchronized EmbeddedS3Server start() throws IOException {
		if (this.proxy != null) {
			return this;
		}
		Files.createDirectories(this.baseDirectory);
		if (this.context == null) {
			Properties overrides = new Properties();
			overrides.setProperty(FilesystemConstants.PROPERTY_BASEDIR, this.baseDirectory.toString());
			this.context = ContextBuilder.newBuilder("filesystem")
				.overrides(overrides)
				.modules(List.of(new SLF4JLoggingModule()))
				.build(BlobStoreContext.class);
		}
		S3Proxy started = S3Proxy.builder()
			.blobStore(this.context.getBlobStore())
			.endpoint(URI.create("http://" + LISTEN_ADDRESS + ":" + this.port))
			.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, this.accessKey, this.secretKey)
			.build();
		try {
			started.start();
		}
		catch (Exception ex) {
			stopQuietly(started);
			throw new IOException("could not start the embedded S3 server on " + LISTEN_ADDRESS + ":" + this.port + ": " + ex.getMessage(), ex);
		}
		this.port = started.getPort();
		this.proxy = started;
		return this;
	}

	/** Stop serving; the folder and the port are kept for a later {@link #start()}. */
	public synchronized void stop() {
		if (this.proxy != null) {
			stopQuietly(this.proxy);
			this.proxy = null;
		}
	}

	public synchronized boolean isRunning() {
		return this.proxy != null;
	}

	/** Stop serving and release jclouds' resources. */
	@Override
	public synchronized void close() {
		stop();
		if (this.context != null) {
			this.context.close();
			this.context = null;
		}
	}

	/** {@code http://127.0.0.1:<port>}; the port is known once started. */
	public String endpoint() {
		return "http://" + LISTEN_ADDRESS + ":" + this.port;
	}

	public int port() {
		return this.port;
	}

	public String accessKey() {
		return this.accessKey;
	}

	public String secretKey() {
		return this.secretKey;
	}

	public Path baseDirectory() {
		return this.baseDirectory;
	}

	private static void stopQuietly(S3Proxy proxy) {
		try {
			proxy.stop();
		}
		catch (Exception ex) {
			// Stopping is best effort: the threads are gone or going, nothing else to do.
		}
	}

}
