package io.coffer.restore;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Restores: Coffer acts as a one-shot replication primary that the target Redis replicates from, so it
 * listens on an address the target can reach (jobs/restore.yml describes the job these tune).
 * @param listenAddress address of the one-shot replication listener a restore's target replicates from; it
 * serves only that target (from the target's address, with a one-time secret)
 * @param advertisedHost host the target is told ({@code REPLICAOF <host> <port>}); it must reach Coffer there;
 * the listen address when empty
 * @param listenPort port of the listener; 0 means a free port per restore
 * @param connectTimeout how long the target may take to connect after {@code REPLICAOF}
 * @param loadTimeout how long the target may take to receive and load the dump; sentinels are held off that long at
 * most
 * @param verifyBeforeLoad also read and check the whole archive once before touching the target, an explicit
 * opt-in that reads it twice; by default it is checked, as fully, in one pass while it streams: the dump's last bytes
 * are held back from the target until every check passed, so that a failure leaves the target its own data
 * @param maxConcurrent restores running at once on one instance; further ones wait their turn
 * @param disklessLoad let the target load the dump straight from the socket where that is safe
 * ({@code repl-diskless-load on-empty-db} for an empty target, {@code swapdb} for one whose memory holds twice
 * the dataset), its own setting put back afterwards; else it writes the dump to its disk first
 */
@Validated
@ConfigurationProperties("coffer.restore")
public record RestoreProperties(@NotNull @DefaultValue("127.0.0.1") String listenAddress, String advertisedHost,
		@Min(0) @Max(65535) @DefaultValue("0") int listenPort, @NotNull @DefaultValue("30s") Duration connectTimeout,
		@NotNull @DefaultValue("1h") Duration loadTimeout, @DefaultValue("false") boolean verifyBeforeLoad,
		@Min(1) @DefaultValue("2") int maxConcurrent, @DefaultValue("true") boolean disklessLoad) {

	public RestoreProperties {
		listenAddress = (listenAddress != null) ? listenAddress.trim() : "";
		advertisedHost = (advertisedHost != null) ? advertisedHost.trim() : "";
	}

	public String effectiveAdvertisedHost() {
		return this.advertisedHost.isBlank() ? this.listenAddress : this.advertisedHost;
	}

}
