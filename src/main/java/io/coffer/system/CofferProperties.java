package io.coffer.system;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the service, under {@code coffer.*}. Each one has a default that lets the service
 * start with nothing configured; the README lists them with their environment variables.
 */
@Validated
@ConfigurationProperties(prefix = "coffer")
public class CofferProperties {

	/** Where the embedded default keeps its state (PostgreSQL, objects, keyring). */
	@NotNull
	private Path dataDir = Path.of("data");

	/** The keyring file of key-encryption keys; generated under the data folder when absent. */
	private Path keyring;

	/** Prefix of the platform's alias of REDIS_URL, as in SCALINGO_REDIS_URL. */
	@Pattern(regexp = "[A-Z][A-Z0-9_]*", message = "must be upper-case letters, digits and underscores, like SCALINGO")
	private String platformPrefix = "COFFER";

	/** The operator's own plans file; without it, the {@code plans.yml} packaged with the service. */
	private Path plansFile;

	/**
	 * The operator's engine catalogue (versions and their {@code redis-server}); without it, the
	 * {@code engines.yml} packaged with the service.
	 */
	private Path enginesFile;

	@Valid
	private final Database database = new Database();

	@Valid
	private final S3 s3 = new S3();

	@Valid
	private final Security security = new Security();

	@Valid
	private final Backup backup = new Backup();

	@Valid
	private final Restore restore = new Restore();

	/**
	 * This instance's name in the cluster (Quartz's instance id, and the owner written on the backups
	 * it runs); generated from the host name when empty. Must differ between instances.
	 */
	private String instanceId = "";

	/** The folder of the service-wide cron schedules, reconciled into Quartz at start-up. */
	@NotNull
	private Path schedulesDir = Path.of("schedules");

	@Valid
	private final Schedule schedule = new Schedule();

	@Valid
	private final Retention retention = new Retention();

	@Valid
	private final Housekeeping housekeeping = new Housekeeping();

	@Valid
	private final Webhooks webhooks = new Webhooks();

	@Valid
	private final Provisioning provisioning = new Provisioning();

	@Valid
	private final Drill drill = new Drill();

	@Valid
	private final Import importing = new Import();

	public Path getDataDir() {
		return this.dataDir;
	}

	public void setDataDir(Path dataDir) {
		this.dataDir = dataDir;
	}

	public Path getKeyring() {
		return (this.keyring != null) ? this.keyring : this.dataDir.resolve("keyring");
	}

	public boolean isKeyringConfigured() {
		return this.keyring != null;
	}

	public void setKeyring(Path keyring) {
		this.keyring = keyring;
	}

	public String getPlatformPrefix() {
		return this.platformPrefix;
	}

	public void setPlatformPrefix(String platformPrefix) {
		this.platformPrefix = platformPrefix;
	}

	public Path getPlansFile() {
		return this.plansFile;
	}

	public void setPlansFile(Path plansFile) {
		this.plansFile = plansFile;
	}

	public Path getEnginesFile() {
		return this.enginesFile;
	}

	public void setEnginesFile(Path enginesFile) {
		this.enginesFile = enginesFile;
	}

	public Database getDatabase() {
		return this.database;
	}

	public S3 getS3() {
		return this.s3;
	}

	public Security getSecurity() {
		return this.security;
	}

	public Backup getBackup() {
		return this.backup;
	}

	public Restore getRestore() {
		return this.restore;
	}

	public String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(String instanceId) {
		this.instanceId = (instanceId != null) ? instanceId.trim() : "";
	}

	public Path getSchedulesDir() {
		return this.schedulesDir;
	}

	public void setSchedulesDir(Path schedulesDir) {
		this.schedulesDir = schedulesDir;
	}

	public Schedule getSchedule() {
		return this.schedule;
	}

	public Retention getRetention() {
		return this.retention;
	}

	public Housekeeping getHousekeeping() {
		return this.housekeeping;
	}

	public Webhooks getWebhooks() {
		return this.webhooks;
	}

	public Provisioning getProvisioning() {
		return this.provisioning;
	}

	public Drill getDrill() {
		return this.drill;
	}

	public Import getImport() {
		return this.importing;
	}

	/** The catalogue's PostgreSQL. Without a URL, an embedded PostgreSQL runs under the data folder. */
	public static class Database {

		@Pattern(regexp = "(jdbc:postgresql://.*)?", message = "must be a PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/coffer")
		private String url = "";

		private String username = "";

		private String password = "";

		/**
		 * Connections this instance keeps to the catalogue, shared by the API, the jobs and Quartz.
		 * Instances of a cluster share one PostgreSQL: their pools together must stay under its
		 * max_connections.
		 */
		@Min(value = 2, message = "must be at least 2")
		private int poolSize = 20;

		public boolean isEmbedded() {
			return this.url.isBlank();
		}

		public int getPoolSize() {
			return this.poolSize;
		}

		public void setPoolSize(int poolSize) {
			this.poolSize = poolSize;
		}

		public String getUrl() {
			return this.url;
		}

		public void setUrl(String url) {
			this.url = (url != null) ? url.trim() : "";
		}

		public String getUsername() {
			return this.username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

	}

	/** S3-compatible object storage. Without an endpoint, an in-process S3 server runs over the data folder. */
	public static class S3 {

		@Pattern(regexp = "(https?://.*)?", message = "must be an http:// or https:// URL such as http://minio:9000")
		private String endpoint = "";

		private String accessKey = "";

		private String secretKey = "";

		@Pattern(regexp = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", message = "must be a valid bucket name of 3 to 63 lower-case letters, digits, dots and dashes")
		private String bucket = "coffer-backups";

		private String region = "us-east-1";

		/** Size of one multipart-upload part: the memory one running upload holds. */
		@Min(value = 5 * 1024 * 1024, message = "must be at least 5 MiB (5242880), the S3 minimum part size")
		private int partSize = 16 * 1024 * 1024;

		public boolean isEmbedded() {
			return this.endpoint.isBlank();
		}

		public String getEndpoint() {
			return this.endpoint;
		}

		public void setEndpoint(String endpoint) {
			this.endpoint = (endpoint != null) ? endpoint.trim() : "";
		}

		public String getAccessKey() {
			return this.accessKey;
		}

		public void setAccessKey(String accessKey) {
			this.accessKey = accessKey;
		}

		public String getSecretKey() {
			return this.secretKey;
		}

		public void setSecretKey(String secretKey) {
			this.secretKey = secretKey;
		}

		public String getBucket() {
			return this.bucket;
		}

		public void setBucket(String bucket) {
			this.bucket = bucket;
		}

		public String getRegion() {
			return this.region;
		}

		public void setRegion(String region) {
			this.region = region;
		}

		public int getPartSize() {
			return this.partSize;
		}

		public void setPartSize(int partSize) {
			this.partSize = partSize;
		}

	}

	public static class Security {

		/** The operator token; generated and printed once at start-up when empty. */
		private String adminToken = "";

		public String getAdminToken() {
			return this.adminToken;
		}

		public void setAdminToken(String adminToken) {
			this.adminToken = (adminToken != null) ? adminToken.trim() : "";
		}

		/** A token that may read {@code /actuator/prometheus} and nothing else; none when empty. */
		private String metricsToken = "";

		public String getMetricsToken() {
			return this.metricsToken;
		}

		public void setMetricsToken(String metricsToken) {
			this.metricsToken = (metricsToken != null) ? metricsToken.trim() : "";
		}

	}

	public static class Backup {

		/** How the RDB is taken when a database does not say: over the replication stream, or by BGSAVE. */
		@Pattern(regexp = "stream|file", message = "must be 'stream' or 'file'")
		private String acquisitionMode = "stream";

		/** A replica further behind its primary than this many bytes of replication offset is not used. */
		@Min(0)
		private long maxReplicaLagBytes = 16L * 1024 * 1024;

		/** A replica that has not heard from its primary for longer than this is not used. */
		@NotNull
		private Duration maxReplicaSilence = Duration.ofSeconds(10);

		/** How long a node may stay silent while it prepares or sends its snapshot. */
		@NotNull
		private Duration snapshotTimeout = Duration.ofMinutes(10);

		/**
		 * gzip level of the archive, 1 (fast) to 9 (small); 1 by the codec benchmark
		 * (docs/BENCHMARKS.md): higher levels save little on Redis dumps for much more CPU.
		 */
		@Min(1)
		@Max(9)
		private int compressionLevel = 1;

		/** Threads compressing one archive; 0 means one per core. */
		@Min(0)
		private int compressionThreads = 0;

		/**
		 * The deflate library: {@code auto} takes the best installed (ISA-L, then libdeflate, then
		 * java.util.zip); a name starts there, and falls back the same way if it is missing.
		 */
		@Pattern(regexp = "auto|isal|libdeflate|zlib", message = "must be auto, isal, libdeflate or zlib")
		private String compressionLibrary = "auto";

		/** Backups running at once on this instance; 0 means half the cores, at least one. */
		@Min(0)
		private int maxConcurrent = 0;

		/**
		 * For mode {@code file}: where Coffer sees each node's data folder, as comma-separated
		 * {@code [node-host:]node-folder=local-folder} entries, e.g. {@code redis-1:/data=/mnt/redis-1}.
		 */
		@Pattern(regexp = "|([^=,]+=[^=,]+)(,[^=,]+=[^=,]+)*", message = "must be comma-separated [node-host:]node-folder=local-folder entries, like redis-1:/data=/mnt/redis-1")
		private String pathMapping = "";

		public String getAcquisitionMode() {
			return this.acquisitionMode;
		}

		public void setAcquisitionMode(String acquisitionMode) {
			this.acquisitionMode = acquisitionMode;
		}

		public long getMaxReplicaLagBytes() {
			return this.maxReplicaLagBytes;
		}

		public void setMaxReplicaLagBytes(long maxReplicaLagBytes) {
			this.maxReplicaLagBytes = maxReplicaLagBytes;
		}

		public Duration getMaxReplicaSilence() {
			return this.maxReplicaSilence;
		}

		public void setMaxReplicaSilence(Duration maxReplicaSilence) {
			this.maxReplicaSilence = maxReplicaSilence;
		}

		public Duration getSnapshotTimeout() {
			return this.snapshotTimeout;
		}

		public void setSnapshotTimeout(Duration snapshotTimeout) {
			this.snapshotTimeout = snapshotTimeout;
		}

		public int getCompressionLevel() {
			return this.compressionLevel;
		}

		public void setCompressionLevel(int compressionLevel) {
			this.compressionLevel = compressionLevel;
		}

		public int getCompressionThreads() {
			return this.compressionThreads;
		}

		public int effectiveCompressionThreads() {
			return (this.compressionThreads > 0) ? this.compressionThreads : Runtime.getRuntime().availableProcessors();
		}

		public void setCompressionThreads(int compressionThreads) {
			this.compressionThreads = compressionThreads;
		}

		public String getCompressionLibrary() {
			return this.compressionLibrary;
		}

		public void setCompressionLibrary(String compressionLibrary) {
			this.compressionLibrary = compressionLibrary;
		}

		public int getMaxConcurrent() {
			return this.maxConcurrent;
		}

		public int effectiveMaxConcurrent() {
			return (this.maxConcurrent > 0) ? this.maxConcurrent
					: Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
		}

		public void setMaxConcurrent(int maxConcurrent) {
			this.maxConcurrent = maxConcurrent;
		}

		public String getPathMapping() {
			return this.pathMapping;
		}

		public void setPathMapping(String pathMapping) {
			this.pathMapping = (pathMapping != null) ? pathMapping.trim() : "";
		}

	}


	/**
	 * Restores: Coffer acts as a one-shot replication primary that the target Redis replicates from,
	 * so it listens on an address the target can reach.
	 */
	public static class Restore {

		/** Address the one-shot replication listener binds to. */
		@NotNull
		private String listenAddress = "127.0.0.1";

		/** Host the target Redis is told to replicate from; empty means the listen address. */
		private String advertisedHost = "";

		/** Port of the listener; 0 picks a free one for each restore. */
		@Min(0)
		@Max(65535)
		private int listenPort = 0;

		/** How long the target may take to connect to the listener after REPLICAOF. */
		@NotNull
		private Duration connectTimeout = Duration.ofSeconds(30);

		/**
		 * How long the target may take to receive and load the dump. Sentinels are told not to
		 * judge the primary down for this long while it replicates from Coffer.
		 */
		@NotNull
		private Duration loadTimeout = Duration.ofHours(1);

		/**
		 * Read, authenticate and check the whole archive once before the target is touched. Without it
		 * the archive is checked while it streams, and the target still keeps its data if the check
		 * fails (its last bytes are held back until the archive is known good).
		 */
		private boolean verifyBeforeLoad = true;

		/** Restores running at once on this instance; further ones wait their turn. */
		@Min(1)
		private int maxConcurrent = 2;

		public String getListenAddress() {
			return this.listenAddress;
		}

		public void setListenAddress(String listenAddress) {
			this.listenAddress = (listenAddress != null) ? listenAddress.trim() : "";
		}

		public String getAdvertisedHost() {
			return this.advertisedHost;
		}

		public String effectiveAdvertisedHost() {
			return this.advertisedHost.isBlank() ? this.listenAddress : this.advertisedHost;
		}

		public void setAdvertisedHost(String advertisedHost) {
			this.advertisedHost = (advertisedHost != null) ? advertisedHost.trim() : "";
		}

		public int getListenPort() {
			return this.listenPort;
		}

		public void setListenPort(int listenPort) {
			this.listenPort = listenPort;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getLoadTimeout() {
			return this.loadTimeout;
		}

		public void setLoadTimeout(Duration loadTimeout) {
			this.loadTimeout = loadTimeout;
		}

		public boolean isVerifyBeforeLoad() {
			return this.verifyBeforeLoad;
		}

		public void setVerifyBeforeLoad(boolean verifyBeforeLoad) {
			this.verifyBeforeLoad = verifyBeforeLoad;
		}

		public int getMaxConcurrent() {
			return this.maxConcurrent;
		}

		public void setMaxConcurrent(int maxConcurrent) {
			this.maxConcurrent = maxConcurrent;
		}

	}

	/** Each database's periodic backup. */
	public static class Schedule {

		/** Whether a newly registered database's periodic backup is on. */
		private boolean defaultEnabled = true;

		/**
		 * Start of the nightly window (UTC) over which databases without a chosen hour are spread,
		 * each at a fixed offset derived from its id, so that they never all fork at once.
		 */
		@NotNull
		private LocalTime windowStart = LocalTime.MIDNIGHT;

		/** Length of that window; at most a day. */
		@NotNull
		private Duration windowLength = Duration.ofHours(6);

		/**
		 * A periodic backup missed while no instance was running (or all were busy) still runs once when
		 * one comes back within this delay; later, that day's backup is recorded as skipped.
		 */
		@NotNull
		private Duration misfireGrace = Duration.ofHours(1);

		public boolean isDefaultEnabled() {
			return this.defaultEnabled;
		}

		public void setDefaultEnabled(boolean defaultEnabled) {
			this.defaultEnabled = defaultEnabled;
		}

		public LocalTime getWindowStart() {
			return this.windowStart;
		}

		public void setWindowStart(LocalTime windowStart) {
			this.windowStart = windowStart;
		}

		public Duration getWindowLength() {
			return this.windowLength;
		}

		public void setWindowLength(Duration windowLength) {
			this.windowLength = windowLength;
		}

		public Duration getMisfireGrace() {
			return this.misfireGrace;
		}

		public void setMisfireGrace(Duration misfireGrace) {
			this.misfireGrace = misfireGrace;
		}

	}

	/** Which backups are kept; the policies themselves are the plans' (see retention/PlanFamily). */
	public static class Retention {

		/** The policy of databases without a plan (registered ones): starter or business. */
		@Pattern(regexp = "starter|business", message = "must be 'starter' or 'business'")
		private String defaultPlanFamily = "starter";

		/** How long a failed backup's row stays listed, so that its owner can read why it failed. */
		@NotNull
		private Duration keepFailed = Duration.ofDays(7);

		public String getDefaultPlanFamily() {
			return this.defaultPlanFamily;
		}

		public void setDefaultPlanFamily(String defaultPlanFamily) {
			this.defaultPlanFamily = defaultPlanFamily;
		}

		public Duration getKeepFailed() {
			return this.keepFailed;
		}

		public void setKeepFailed(Duration keepFailed) {
			this.keepFailed = keepFailed;
		}

	}

	/** The housekeeping tasks of schedules/: interrupted backups, orphan objects. */
	public static class Housekeeping {

		/**
		 * An instance whose Quartz heartbeat is older than this is considered gone: the backups it was
		 * running are marked interrupted. Quartz beats every 7.5 s by default.
		 */
		@NotNull
		private Duration instanceTimeout = Duration.ofMinutes(1);

		/** Multipart uploads older than this with no backup running for them are aborted. */
		@NotNull
		private Duration abandonedUploadAge = Duration.ofHours(6);

		/**
		 * How long an object without a row, or a row without its object, is only reported before it is
		 * cleaned up: the object deleted, the row marked failed.
		 */
		@NotNull
		private Duration orphanGrace = Duration.ofDays(1);

		public Duration getInstanceTimeout() {
			return this.instanceTimeout;
		}

		public void setInstanceTimeout(Duration instanceTimeout) {
			this.instanceTimeout = instanceTimeout;
		}

		public Duration getAbandonedUploadAge() {
			return this.abandonedUploadAge;
		}

		public void setAbandonedUploadAge(Duration abandonedUploadAge) {
			this.abandonedUploadAge = abandonedUploadAge;
		}

		public Duration getOrphanGrace() {
			return this.orphanGrace;
		}

		public void setOrphanGrace(Duration orphanGrace) {
			this.orphanGrace = orphanGrace;
		}

	}

	/** Where backup events are posted, signed with HMAC-SHA256 of the body. */
	public static class Webhooks {

		/** Receivers of the events; none by default. */
		@NotNull
		private List<String> urls = new ArrayList<>();

		/** The HMAC key of the {@code X-Coffer-Signature} header; unsigned when empty. */
		private String secret = "";

		/** Deliveries tried per event and receiver, the first included. */
		@Min(1)
		private int maxAttempts = 5;

		/** Wait before the first retry; doubled at each further one. */
		@NotNull
		private Duration initialBackoff = Duration.ofSeconds(1);

		/** How long a receiver may take to answer. */
		@NotNull
		private Duration timeout = Duration.ofSeconds(10);

		/** How often the outbox is looked at for deliveries due (another instance's, or a retry). */
		@NotNull
		private Duration pollInterval = Duration.ofSeconds(1);

		/** How long delivered and given-up deliveries are kept in the outbox. */
		@NotNull
		private Duration finishedRetention = Duration.ofDays(7);

		public List<String> getUrls() {
			return this.urls;
		}

		public void setUrls(List<String> urls) {
			this.urls = (urls != null) ? urls.stream().map(String::trim).filter((url) -> !url.isEmpty()).toList()
					: new ArrayList<>();
		}

		public String getSecret() {
			return this.secret;
		}

		public void setSecret(String secret) {
			this.secret = (secret != null) ? secret : "";
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public Duration getFinishedRetention() {
			return this.finishedRetention;
		}

		public void setFinishedRetention(Duration finishedRetention) {
			this.finishedRetention = finishedRetention;
		}

	}

	/** How provisioned databases get their nodes, and the timings of their sentinels and HAProxy. */
	public static class Provisioning {

		/** process: Coffer runs redis-server, sentinel and HAProxy processes; static: it claims nodes of a pool. */
		@Pattern(regexp = "process|static", message = "must be 'process' or 'static'")
		private String driver = "process";

		/** The address nodes listen on and clients are given in REDIS_URL. */
		@NotNull
		@Pattern(regexp = "[^\\s:/@]+", message = "must be a host name or an IPv4 address, without port")
		private String host = "127.0.0.1";

		/** First port the process driver hands out. */
		@Min(1024)
		@Max(65535)
		private int firstPort = 21000;

		/** Last port the process driver hands out. */
		@Min(1024)
		@Max(65535)
		private int lastPort = 29999;

		/** The redis-server program, run for data nodes and, with --sentinel, for sentinels. */
		@NotNull
		private String redisServer = "redis-server";

		/** The HAProxy program in front of business databases. */
		@NotNull
		private String haproxy = "haproxy";

		/** How long sentinels wait before they call a silent primary down. */
		@NotNull
		private Duration sentinelDownAfter = Duration.ofSeconds(5);

		/** How long a sentinel failover may take before it is tried again. */
		@NotNull
		private Duration sentinelFailoverTimeout = Duration.ofSeconds(60);

		/** How often HAProxy asks each node whether it is the primary. */
		@NotNull
		private Duration haproxyCheckInterval = Duration.ofSeconds(1);

		/** How often Coffer checks that the processes it runs are alive, and restarts those that died. */
		@NotNull
		private Duration superviseInterval = Duration.ofSeconds(5);

		/** How long one node, or the whole topology, may take to come up before provisioning fails. */
		@NotNull
		private Duration startTimeout = Duration.ofSeconds(60);

		/**
		 * For the static driver: the pool's Redis nodes, as comma-separated {@code host:port} entries.
		 * They run with {@code databases 5} and the pool password.
		 */
		@Pattern(regexp = "|([^,:\\s]+:\\d+)(\\s*,\\s*[^,:\\s]+:\\d+)*", message = "must be comma-separated host:port entries, like redis-a:6379,redis-b:6379")
		private String staticNodes = "";

		/** For the static driver: the password of the pool's unclaimed nodes, given back when a database is deleted. */
		private String staticPassword = "";

		public String getDriver() {
			return this.driver;
		}

		public void setDriver(String driver) {
			this.driver = driver;
		}

		public String getHost() {
			return this.host;
		}

		public void setHost(String host) {
			this.host = host;
		}

		public int getFirstPort() {
			return this.firstPort;
		}

		public void setFirstPort(int firstPort) {
			this.firstPort = firstPort;
		}

		public int getLastPort() {
			return this.lastPort;
		}

		public void setLastPort(int lastPort) {
			this.lastPort = lastPort;
		}

		public String getRedisServer() {
			return this.redisServer;
		}

		public void setRedisServer(String redisServer) {
			this.redisServer = redisServer;
		}

		public String getHaproxy() {
			return this.haproxy;
		}

		public void setHaproxy(String haproxy) {
			this.haproxy = haproxy;
		}

		public Duration getSentinelDownAfter() {
			return this.sentinelDownAfter;
		}

		public void setSentinelDownAfter(Duration sentinelDownAfter) {
			this.sentinelDownAfter = sentinelDownAfter;
		}

		public Duration getSentinelFailoverTimeout() {
			return this.sentinelFailoverTimeout;
		}

		public void setSentinelFailoverTimeout(Duration sentinelFailoverTimeout) {
			this.sentinelFailoverTimeout = sentinelFailoverTimeout;
		}

		public Duration getHaproxyCheckInterval() {
			return this.haproxyCheckInterval;
		}

		public void setHaproxyCheckInterval(Duration haproxyCheckInterval) {
			this.haproxyCheckInterval = haproxyCheckInterval;
		}

		public Duration getSuperviseInterval() {
			return this.superviseInterval;
		}

		public void setSuperviseInterval(Duration superviseInterval) {
			this.superviseInterval = superviseInterval;
		}

		public Duration getStartTimeout() {
			return this.startTimeout;
		}

		public void setStartTimeout(Duration startTimeout) {
			this.startTimeout = startTimeout;
		}

		public String getStaticNodes() {
			return this.staticNodes;
		}

		public void setStaticNodes(String staticNodes) {
			this.staticNodes = (staticNodes != null) ? staticNodes.trim() : "";
		}

		public String getStaticPassword() {
			return this.staticPassword;
		}

		public void setStaticPassword(String staticPassword) {
			this.staticPassword = (staticPassword != null) ? staticPassword : "";
		}

	}

	/**
	 * Restore drills: the latest backup of each database (or of a sample) is restored into a scratch
	 * {@code redis-server} that Coffer starts itself, then checked.
	 */
	public static class Drill {

		/** Databases drilled per run, those checked longest ago first; 0 means every database. */
		@Min(0)
		private int sampleSize = 0;

		/** The {@code redis-server} binary of the scratch servers: a path, or a name looked up on the PATH. */
		@NotNull
		private String redisServer = "redis-server";

		/** How long a scratch server may take to start answering. */
		@NotNull
		private Duration startTimeout = Duration.ofSeconds(30);

		public int getSampleSize() {
			return this.sampleSize;
		}

		public void setSampleSize(int sampleSize) {
			this.sampleSize = sampleSize;
		}

		public String getRedisServer() {
			return this.redisServer;
		}

		public void setRedisServer(String redisServer) {
			this.redisServer = (redisServer == null || redisServer.isBlank()) ? "redis-server" : redisServer.trim();
		}

		public Duration getStartTimeout() {
			return this.startTimeout;
		}

		public void setStartTimeout(Duration startTimeout) {
			this.startTimeout = startTimeout;
		}

	}

	/** Imports of external dumps as backups. */
	public static class Import {

		/** The largest dump accepted, as an RDB (a {@code .tar.gz}'s {@code dump.rdb} entry). */
		@NotNull
		private DataSize maxSize = DataSize.ofGigabytes(8);

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

	}

}
