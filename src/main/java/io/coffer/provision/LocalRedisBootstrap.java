package io.coffer.provision;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.coffer.backup.BackupLauncher;
import io.coffer.catalog.Backup;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.system.CofferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What {@code scripts/run} asks for with {@code coffer.bootstrap.redis-url}, which it sets as the
 * environment variable {@code COFFER_BOOTSTRAP_REDIS_URL} (a command line, password included, is shown
 * by {@code ps} to every user): once the service is up, register the Redis at that URL as database
 * {@code local} (if it is not yet) and take a backup of it.
 * A Redis that cannot be used is reported in one line; the service keeps running.
 */
@Component
class LocalRedisBootstrap {

	static final String DATABASE_ID = "local";

	private static final Logger log = LoggerFactory.getLogger(LocalRedisBootstrap.class);

	private final String redisUrl;

	private final DatabaseRepository databases;

	private final DatabaseRegistration registration;

	private final BackupLauncher launcher;

	LocalRedisBootstrap(BootstrapProperties settings, DatabaseRepository databases,
			DatabaseRegistration registration, BackupLauncher launcher) {
		this.redisUrl = settings.redisUrl();
		this.databases = databases;
		this.registration = registration;
		this.launcher = launcher;
	}

	@EventListener(ApplicationReadyEvent.class)
	void registerAndBackUp() {
		if (this.redisUrl.isBlank()) {
			return;
		}
		try {
			if (this.databases.findLive(DATABASE_ID).isEmpty()) {
				URI uri = URI.create(this.redisUrl);
				RegisterRequest request = new RegisterRequest(DATABASE_ID,
						List.of(new RegisterRequest.Address(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379)),
						passwordOf(uri), null, null, null);
				this.registration.register(DATABASE_ID, request);
				log.info("Registered the Redis at {} as database '{}'", redacted(uri), DATABASE_ID);
			}
			Backup backup = this.launcher.launch(DATABASE_ID, Backup.MANUAL);
			log.info("Started backup {} of database '{}'", backup.id(), DATABASE_ID);
		}
		catch (CofferException | IllegalArgumentException ex) {
			log.error("Cannot back up the Redis at REDIS_URL ({}): {}", redactedUrl(), ex.getMessage());
		}
	}

	private static String passwordOf(URI uri) {
		String userInfo = uri.getRawUserInfo();
		if (userInfo == null) {
			return null;
		}
		String password = userInfo.contains(":") ? userInfo.substring(userInfo.indexOf(':') + 1) : userInfo;
		return URLDecoder.decode(password, StandardCharsets.UTF_8);
	}

	private String redactedUrl() {
		try {
			return redacted(URI.create(this.redisUrl));
		}
		catch (IllegalArgumentException ex) {
			return "an invalid URL";
		}
	}

	private static String redacted(URI uri) {
		return uri.getScheme() + "://" + uri.getHost() + ((uri.getPort() > 0) ? ":" + uri.getPort() : "");
	}

}
