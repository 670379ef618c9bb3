package io.coffer.provision;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.Node;
import io.coffer.catalog.TokenRepository;
import io.coffer.crypto.Keyring;
import io.coffer.schedule.DatabaseSchedules;
import io.coffer.backup.BackupProperties;
import io.coffer.schedule.ScheduleProperties;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes an existing Redis into the catalogue: checks that every node answers with the given password
 * (and that the sentinels know the master), then records it with its password sealed by the keyring.
 */
@Service
public class DatabaseRegistration {

	private static final SecureRandom random = new SecureRandom();

	private final DatabaseRepository databases;

	private final TokenRepository tokens;

	private final Keyring keyring;

	private final RedisConnections redis;

	private final BackupProperties backup;

	private final ScheduleProperties schedule;

	private final Clock clock;

	private final DatabaseSchedules schedules;

	DatabaseRegistration(DatabaseRepository databases, TokenRepository tokens, Keyring keyring,
			RedisConnections redis, BackupProperties backup, ScheduleProperties schedule, Clock clock,
			DatabaseSchedules schedules) {
		this.databases = databases;
		this.tokens = tokens;
		this.keyring = keyring;
		this.redis = redis;
		this.backup = backup;
		this.schedule = schedule;
		this.clock = clock;
		this.schedules = schedules;
	}

	/** The registered database and its token, which is shown this once. */
	public record Registered(Database database, String token) {
	}

	@Transactional
	public Registered register(String app, RegisterRequest request) {
		String password = (request.password() == null || request.password().isEmpty()) ? null : request.password();
		List<Node> nodes = new ArrayList<>();
		for (RegisterRequest.Address address : request.nodes()) {
			RedisEndpoint endpoint = new RedisEndpoint(address.host(), address.port(), password);
			nodes.add(new Node(roleOf(endpoint), address.host(), address.port()));
		}
		String sentinelMaster = null;
		if (!request.sentinelsOrEmpty().isEmpty()) {
			sentinelMaster = (request.sentinelMaster() != null) ? request.sentinelMaster() : "mymaster";
			for (RegisterRequest.Address address : request.sentinelsOrEmpty()) {
				checkSentinelKnowsMaster(new RedisEndpoint(address.host(), address.port(), null), sentinelMaster,
						password);
				nodes.add(new Node(Node.SENTINEL, address.host(), address.port()));
			}
		}
		if (this.databases.liveAppExists(app)) {
			throw DatabaseExists.forApp(app);
		}
		String id = (request.id() != null) ? request.id() : newId(app);
		if (this.databases.idExists(id)) {
			throw DatabaseExists.withId(id);
		}
		String mode = (request.acquisitionMode() != null) ? request.acquisitionMode()
				: this.backup.acquisitionMode();
		Database database = new Database(id, app, null, "registered", "running", mode, sentinelMaster,
				this.schedule.defaultEnabled(), null, this.clock.instant(), nodes);
		this.databases.insert(database);
		// Quartz's store joins this transaction: the database and its trigger exist together or not at all
		this.schedules.apply(database);
		if (password != null) {
			this.databases.saveSecret(id, DatabaseRepository.REDIS_PASSWORD, this.keyring.newest().sealText(password));
		}
		return new Registered(database, this.tokens.issue(id));
	}

	private String roleOf(RedisEndpoint endpoint) {
		try {
			String info = this.redis.call(endpoint, Jedis::info);
			if (info == null || info.lines().noneMatch((line) -> line.startsWith("redis_version:"))) {
				// something that answers like Redis without being one (an echo, a proxy of something else)
				throw RedisConnections.notRedis(endpoint, null);
			}
			String role = info.lines()
				.filter((line) -> line.startsWith("role:"))
				.findFirst()
				.orElse("role:master");
			return role.equals("role:slave") ? Node.REPLICA : Node.PRIMARY;
		}
		catch (RedisAccessException ex) {
			throw new RegistrationRefused(
					RedisAccessException.NOT_REDIS.equals(ex.code()) ? ex.code() : "redis_" + ex.code(), ex.getMessage());
		}
	}

	private void checkSentinelKnowsMaster(RedisEndpoint sentinel, String master, String password) {
		List<String> address;
		try {
			address = this.redis.call(sentinel, (jedis) -> jedis.sentinelGetMasterAddrByName(master));
		}
		catch (RedisAccessException ex) {
			// a sentinel protected by a password usually shares the nodes' one
			if (!RedisAccessException.AUTH_FAILED.equals(ex.code()) || password == null) {
				throw new RegistrationRefused("sentinel_" + ex.code(), ex.getMessage());
			}
			address = this.redis.call(sentinel.withPassword(password),
					(jedis) -> jedis.sentinelGetMasterAddrByName(master));
		}
		if (address == null || address.isEmpty()) {
			throw new RegistrationRefused("sentinel_unknown_master",
					"the sentinel at " + sentinel.address() + " does not monitor a master named " + master);
		}
	}

	String newId(String app) {
		for (int attempt = 0; attempt < 20; attempt++) {
			String id = app + "-" + (1000 + random.nextInt(9000));
			if (!this.databases.idExists(id)) {
				return id;
			}
		}
		throw new IllegalStateException("could not find a free database id for " + app);
	}

}
