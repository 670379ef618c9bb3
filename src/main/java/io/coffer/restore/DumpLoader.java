// Longer than 400 lines because one load (sentinels held, the listener's secret set, the dump sent, the
// commands after it replayed, the role given back) and the undoing of each of its phases share one journal.
package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import javax.net.ServerSocketFactory;

import io.coffer.archive.ArchiveReader;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.SentinelSet;
import io.coffer.catalog.Backup;
import io.coffer.crypto.Keyring;
import io.coffer.tls.CertificateAuthority;
import org.apache.commons.io.output.CountingOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Loads a backup's dump into one Redis node the way Redis loads a dump natively: Coffer listens as a
 * one-shot replication primary, the node is told {@code REPLICAOF} Coffer, receives the dump (checked
 * as it streams, its last bytes held back until the whole archive is found sound), loads it, and is
 * put back to the role it had. Used by restores and by restore drills, which load into a scratch server.
 * <p>
 * The listener serves only the node: before it is told to replicate, the node is given the listener's
 * one-time secret as {@code masteruser}/{@code masterauth}, and its own values are put back afterwards
 * (kept in the journal, the password sealed by the keyring, so that recovery can put them back too).
 */
@Component
class DumpLoader {

	private static final Logger log = LoggerFactory.getLogger(DumpLoader.class);

	/** Bytes kept back until the archive was read whole and found sound: a replica missing them keeps its data. */
	private static final int HOLD_BACK = 8;

	/** How long a target may take to end a diskless load that a failed restore cut off. */
	private static final Duration CUT_LOAD_ENDS_WITHIN = Duration.ofSeconds(30);

	// the fields of a restore's recovery journal (restores.recovery)
	static final String JOURNAL_NODE = "node";

	static final String JOURNAL_ROLE_BEFORE = "role_before";

	static final String JOURNAL_LISTENER = "listener";

	static final String JOURNAL_PHASE = "phase";

	static final String JOURNAL_MASTER_NAME = "master_name";

	static final String JOURNAL_SENTINELS = "held_sentinels";

	/** The node's own masteruser and masterauth (sealed), while it has the listener's secret instead. */
	static final String JOURNAL_MASTER_AUTH = "master_auth_before";

	static final String JOURNAL_MASTER_USER_VALUE = "masteruser";

	static final String JOURNAL_MASTER_AUTH_SEALED = "masterauth_sealed";

	/** The node's own {@code repl-diskless-load}, while it loads with another. */
	static final String JOURNAL_DISKLESS_LOAD_BEFORE = "diskless_load_before";

	private final ArchiveReader archives;

	private final RedisConnections redis;

	private final JsonMapper json;

	private final RestoreProperties settings;

	private final CertificateAuthority authority;

	private final Keyring keyring;

	/** Told where the listener is once it listens, before the target is told to replicate from it. */
	private volatile Consumer<InetSocketAddress> listening = (address) -> {
	};

	DumpLoader(ArchiveReader archives, RedisConnections redis, JsonMapper json, RestoreProperties settings,
			CertificateAuthority authority, Keyring keyring) {
		this.archives = archives;
		this.redis = redis;
		this.json = json;
		this.settings = settings;
		this.authority = authority;
		this.keyring = keyring;
	}

	/**
	 * Has {@code observer} told the listener's address during each load, once it listens and before the
	 * target knows it: the moment at which the tests knock on it as an intruder on the host would.
	 */
	void whenListening(Consumer<InetSocketAddress> observer) {
		this.listening = (observer != null) ? observer : (address) -> {
		};
	}

	/**
	 * Loads the backup into {@code node} (with its password), holding {@code sentinels} off meanwhile
	 * when there are some.
	 * @param journal receives, before each change to the node or the sentinels, what it takes to undo
	 * the load if this instance stops (see {@link #undoInterrupted})
	 * @return what the load did, for the restore's checks
	 * @throws RestoreFailedException saying what happened and what state the node is in
	 */
	Map<String, Object> load(Backup backup, RedisEndpoint node, SentinelSet sentinels,
			Consumer<Map<String, Object>> journal) {
		return load(backup, node, sentinels, journal,
				(maxRdb) -> DumpSource.archive(this.archives, this.json, backup, maxRdb));
	}

	/** Loads the dump {@code dumps} opens (for the target's RDB version) as a backup's whole dump is loaded. */
	Map<String, Object> load(Backup backup, RedisEndpoint node, SentinelSet sentinels,
			Consumer<Map<String, Object>> journal, DumpSource.Opener dumps) {
		return load(backup, node, sentinels, journal, dumps, null);
	}

	/**
	 * Loads the backup's whole dump, then, while the node still replicates from Coffer, has it apply the
	 * commands {@code replay} writes as the replication stream that follows the dump, as a replica would; the node
	 * is put back to its role only once its replication offset shows all of them applied.
	 * @param replay null for none
	 */
	Map<String, Object> loadAndReplay(Backup backup, RedisEndpoint node, SentinelSet sentinels,
			Consumer<Map<String, Object>> journal, Replay replay) {
		return load(backup, node, sentinels, journal,
				(maxRdb) -> DumpSource.archive(this.archives, this.json, backup, maxRdb), replay);
	}

	/** Commands that follow a dump in the replication stream. */
	@FunctionalInterface
	interface Replay {

		/** Writes them to {@code out}; answers how many. */
		long writeTo(OutputStream out) throws IOException;

	}

	private Map<String, Object> load(Backup backup, RedisEndpoint node, SentinelSet sentinels,
			Consumer<Map<String, Object>> journal, DumpSource.Opener dumps, Replay replay) {
		Map<String, String> before = this.redis.call(node, (jedis) -> RedisInfo.fields(jedis.info("replication")));
		int maxRdb = RdbVersions.maxLoadable(this.redis.call(node, RedisInfo::read).redisVersion());
		Map<String, Object> loadChecks = new LinkedHashMap<>();
		Map<String, Object> undo = new LinkedHashMap<>();
		undo.put(JOURNAL_NODE, node.address());
		undo.put(JOURNAL_ROLE_BEFORE, roleOnly(before));
		undo.put(JOURNAL_PHASE, "untouched");
		SentinelHold hold = null;
		Phase phase = Phase.UNTOUCHED;
		// the node's own masteruser and masterauth, once they may have been replaced by the listener's secret
		MasterAuth replaced = null;
		// how the node loads, and its own repl-diskless-load once it may have been changed
		DisklessLoad.Choice loading = null;
		long started = System.nanoTime();
		// a node that replicates over TLS connects to its primary with TLS, this one included
		String host = this.settings.effectiveAdvertisedHost();
		ServerSocketFactory sockets = node.tls() ? this.authority.serverSocketFactory(host)
				: ServerSocketFactory.getDefault();
		try (OneShotPrimary listener = new OneShotPrimary(sockets, this.settings.listenAddress(),
				this.settings.listenPort(), OneShotPrimary.addressesOf(node.host()));
				DumpSource archive = dumps.open(maxRdb)) {
			undo.put(JOURNAL_LISTENER, host + ":" + listener.port());
			if (sentinels != null) {
				undo.put(JOURNAL_MASTER_NAME, sentinels.masterName());
				hold = SentinelHold.hold(this.redis, sentinels, this.settings.loadTimeout(), (originals) -> {
					undo.put(JOURNAL_SENTINELS, originals);
					journal.accept(undo);
				});
				loadChecks.put("sentinels_held", hold.heldCount());
			}
			MasterAuth own = this.redis.call(node, MasterAuth::of);
			undo.put(JOURNAL_MASTER_AUTH, own.journaled(this.keyring));
			DisklessLoad.Choice way = this.redis.call(node,
					(jedis) -> DisklessLoad.choose(jedis, this.settings.disklessLoad(), archive.size()));
			if (way.changes()) {
				undo.put(JOURNAL_DISKLESS_LOAD_BEFORE, way.before());
			}
			journal.accept(undo);
			replaced = own;
			loading = way;
			loadChecks.put("load", way.way());
			loadChecks.put("load_reason", way.why());
			this.redis.call(node, (jedis) -> {
				DisklessLoad.apply(jedis, way);
				return null;
			});
			this.redis.call(node, (jedis) -> new MasterAuth(OneShotPrimary.MASTER_USER, listener.secret()).replace(jedis));
			this.listening.accept(new InetSocketAddress(host, listener.port()));
			// journaled before each change it names, so that a stop between the two errs on the side of undoing
			journal(journal, undo, Phase.REPLICATING);
			this.redis.call(node, (jedis) -> jedis.replicaof(host, listener.port()));
			phase = Phase.REPLICATING;
			log.info("Backup {}: {} replicates from Coffer at {}:{}", backup.id(), node.address(), host,
					listener.port());
			OutputStream payload = listener.awaitSync(archive.size(), this.settings.connectTimeout());
			// what follows the dump moves the node's replication offset, from 0: counted to know when it applied it
			CountingOutputStream out = new CountingOutputStream(payload);
			long streaming = System.nanoTime();
			byte[] last = archive.copy(out, HOLD_BACK);
			out.flush();
			archive.finish();
			loadChecks.put("stream_seconds", seconds(streaming));
			journal(journal, undo, Phase.SENT);
			out.write(last);
			out.flush();
			phase = Phase.SENT;
			long sent = System.nanoTime();
			out.resetByteCount();
			LoadWatch.awaitLoaded(this.redis, node, listener, out, this.settings.loadTimeout());
			loadChecks.put("target_load_seconds", seconds(sent));
			if (replay != null) {
				phase = journal(journal, undo, Phase.REPLAYING);
				long replaying = System.nanoTime();
				long commands = replay.writeTo(out);
				out.flush();
				LoadWatch.awaitApplied(this.redis, node, listener, out, out::getByteCount, this.settings.loadTimeout());
				loadChecks.put("replayed", commands);
				loadChecks.put("replayed_bytes", out.getByteCount());
				loadChecks.put("replay_seconds", seconds(replaying));
			}
			phase = journal(journal, undo, Phase.LOADED);
			giveBack(node, before, replaced);
			String settingLeft = putBackLoadSetting(node, loading);
			if (settingLeft != null) {
				loadChecks.put("load_setting_problem", settingLeft);
			}
			phase = journal(journal, undo, Phase.DONE);
			loadChecks.put("bytes_sent", archive.size());
			loadChecks.put("source", archive.source());
			loadChecks.put(DumpSource.VERIFIED, archive.verified());
			loadChecks.put("seconds", seconds(started));
		}
		catch (Exception ex) {
			String failure = RestoreSteps.sentence(ex);
			String state = recover(node, before, phase, replaced);
			String settingLeft = (phase == Phase.DONE) ? null : putBackLoadSetting(node, loading);
			if (settingLeft != null) {
				state = state + "; " + settingLeft;
			}
			if (hold != null) {
				hold.releaseAfterFailure(node);
				hold = null;
			}
			throw new RestoreFailedException(failure, state, ex);
		}
		finally {
			if (hold != null) {
				List<String> problems = hold.release(node);
				if (!problems.isEmpty()) {
					loadChecks.put("sentinel_problems", problems);
				}
			}
		}
		return loadChecks;
	}

	private static double seconds(long since) {
		return (System.nanoTime() - since) / 1_000_000 / 1000.0;
	}

	/**
	 * The node's own {@code repl-diskless-load} back, when the load changed it.
	 * @return what was left otherwise, for the restore's record; null when it is back (or was never changed)
	 */
	private String putBackLoadSetting(RedisEndpoint node, DisklessLoad.Choice loading) {
		if (loading == null || !loading.changes()) {
			return null;
		}
		try {
			this.redis.call(node, (jedis) -> {
				DisklessLoad.putBack(jedis, loading.before());
				return null;
			});
			return null;
		}
		catch (RuntimeException ex) {
			String problem = RedisConnections.describe(node, ex).getMessage();
			log.warn("Could not give {} its {} back: {}", node.address(), DisklessLoad.SETTING, problem);
			return "its " + DisklessLoad.SETTING + " is still " + loading.value() + " (it was " + loading.before()
					+ ": set it back; " + problem + ")";
		}
	}

	private static Phase journal(Consumer<Map<String, Object>> journal, Map<String, Object> undo, Phase phase) {
		undo.put(JOURNAL_PHASE, phase.name().toLowerCase(Locale.ROOT));
		journal.accept(undo);
		return phase;
	}

	private static Map<String, String> roleOnly(Map<String, String> replication) {
		Map<String, String> role = new LinkedHashMap<>();
		for (String field : List.of("role", "master_host", "master_port")) {
			if (replication.get(field) != null) {
				role.put(field, replication.get(field));
			}
		}
		return role;
	}

	/**
	 * Undoes, from its journal, what a load interrupted by a stopped instance left on the node: if the node
	 * still replicates from that instance's listener, it gets its role back.
	 * @return what state the node is in, as a failed restore says it
	 */
	@SuppressWarnings("unchecked")
	String undoInterrupted(RedisEndpoint node, Map<String, Object> journal) {
		Phase phase = Phase.valueOf(String.valueOf(journal.getOrDefault(JOURNAL_PHASE, "untouched"))
			.toUpperCase(Locale.ROOT));
		if (phase == Phase.DONE) {
			return "the target loaded the whole dump and was a primary again";
		}
		MasterAuth own = MasterAuth.journaled(journal.get(JOURNAL_MASTER_AUTH), this.keyring);
		if (journal.get(JOURNAL_DISKLESS_LOAD_BEFORE) instanceof String loadBefore) {
			this.redis.call(node, (jedis) -> {
				DisklessLoad.putBack(jedis, loadBefore);
				return null;
			});
		}
		if (phase == Phase.UNTOUCHED) {
			putBack(node, own);
			return RestoreFailedException.UNTOUCHED;
		}
		Map<String, String> now = this.redis.call(node, (jedis) -> RedisInfo.fields(jedis.info("replication")));
		String following = now.get("master_host") + ":" + now.get("master_port");
		if (!"slave".equals(now.get("role")) || !following.equals(journal.get(JOURNAL_LISTENER))) {
			putBack(node, own);
			return "the target no longer replicated from the stopped instance (it reports role " + now.get("role")
					+ "): it was left as it is; check its data and restore again if needed";
		}
		Map<String, String> before = (Map<String, String>) journal.get(JOURNAL_ROLE_BEFORE);
		giveBack(node, (before != null) ? before : Map.of(), own);
		return switch (phase) {
			case REPLICATING -> "the target had not received the whole dump, which Redis then discards: it was given"
					+ " its role back and kept the data it had before";
			case LOADED -> "the target had loaded the whole dump when the instance stopped and was given its role"
					+ " back; its keys were not counted against the backup's";
			case REPLAYING -> "the target had loaded the base dump and was applying the commands archived after it"
					+ " when the instance stopped; it was given its role back, but its data may stop short of the"
					+ " time asked: restore again before using it";
			default -> "the target had received the dump when the instance stopped; it was given its role back, but"
					+ " its data may be partial: restore again before using it";
		};
	}

	/** The node's own {@code masteruser} and {@code masterauth} back, when they are known. */
	private void putBack(RedisEndpoint node, MasterAuth own) {
		if (own != null) {
			this.redis.call(node, own::putBack);
		}
	}

	/**
	 * Back to the role the target had (a primary, or a replica of the primary it followed) and to its own
	 * {@code masteruser} and {@code masterauth} when {@code own} is known. It stops following the listener
	 * first: with its own password back, it must not offer it to whatever listens on the listener's port.
	 */
	private void giveBack(RedisEndpoint node, Map<String, String> before, MasterAuth own) {
		this.redis.call(node, (jedis) -> {
			jedis.replicaofNoOne();
			if (own != null) {
				own.putBack(jedis);
			}
			if ("slave".equals(before.get("role")) && before.get("master_host") != null) {
				jedis.replicaof(before.get("master_host"), Integer.parseInt(before.get("master_port")));
			}
			return null;
		});
	}

	/**
	 * Puts the target back to its role and its own {@code masteruser}/{@code masterauth} where it can be
	 * reached, and says what state it is in.
	 */
	private String recover(RedisEndpoint node, Map<String, String> before, Phase phase, MasterAuth own) {
		if (phase == Phase.UNTOUCHED) {
			if (own == null) {
				return RestoreFailedException.UNTOUCHED;
			}
			try {
				this.redis.call(node, own::putBack);
				return RestoreFailedException.UNTOUCHED;
			}
			catch (RuntimeException ex) {
				String reset = RedisConnections.describe(node, ex).getMessage();
				log.warn("Could not give {} its masteruser and masterauth back: {}", node.address(), reset);
				return "the target kept its data, but could not be given its own masteruser and masterauth back ("
						+ reset + "): set them again to what its replication needs";
			}
		}
		String reset;
		try {
			LoadWatch.awaitNotLoading(this.redis, node, CUT_LOAD_ENDS_WITHIN);
			giveBack(node, before, own);
			reset = null;
		}
		catch (RuntimeException ex) {
			reset = RedisConnections.describe(node, ex).getMessage();
			log.warn("Could not end the replication of {} from Coffer: {}", node.address(), reset);
		}
		return switch (phase) {
			case REPLICATING -> (reset == null)
					? "the target did not receive the whole dump, which Redis then discards: it was made a primary"
							+ " again and kept the data it had before"
					: "the target could not be reached to end its replication from Coffer (" + reset + "); it never"
							+ " received the whole dump, so it kept the data it had (if it restarted, what its own"
							+ " persistence held); if it still reports role:slave, run REPLICAOF NO ONE on it";
			case SENT -> (reset == null)
					? "the target received the whole dump but did not finish loading it; it was made a primary again"
							+ " and its data may be partial: restore again before using it"
					: "the target stopped while loading the dump (" + reset + "); once it is back its data may be"
							+ " partial, empty, or the restored dump, depending on its persistence: check it and"
							+ " restore again before using it; if it reports role:slave, run REPLICAOF NO ONE on it";
			case REPLAYING -> (reset == null)
					? "the target loaded the base dump but not every command archived up to the time asked; it was"
							+ " made a primary again and its data may stop short of that time: restore again before"
							+ " using it"
					: "the target loaded the base dump but not every command up to the time asked, and could not be"
							+ " made a primary again (" + reset + "): run REPLICAOF NO ONE on it and restore again";
			case LOADED -> "the target loaded the whole dump, but could not be made a primary again and given its own"
					+ " masteruser and masterauth back (" + reset + "): run REPLICAOF NO ONE on it and set them again";
			default -> "the target's state is unknown: check it";
		};
	}

	/** How far the load got: what a failure may have left on the target. */
	private enum Phase {

		UNTOUCHED, REPLICATING, SENT, REPLAYING, LOADED, DONE

	}

}
