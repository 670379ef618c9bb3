package io.coffer.catalog;

/**
 * A node of a provisioned database as its driver left it: where it listens and what the driver needs
 * to find it again (for the process driver: its folder and pid).
 */
public record ManagedNode(long id, String databaseId, String role, String host, int port, DriverData driverData) {

	public String name() {
		return this.driverData.name();
	}

	public String kind() {
		return this.driverData.kind();
	}

	public String address() {
		return this.host + ":" + this.port;
	}

	public ManagedNode with(int port, DriverData driverData) {
		return new ManagedNode(this.id, this.databaseId, this.role, this.host, port, driverData);
	}

	/**
	 * What {@code nodes.driver_data} holds.
	 *
	 * @param driver {@code process} or {@code static}
	 * @param name the node's name within its database: {@code redis-1}, {@code sentinel-2}, {@code haproxy-leader}
	 * @param kind {@code redis}, {@code sentinel} or {@code haproxy}
	 * @param dir the process driver's folder for the node
	 * @param pid the process driver's process id, once started
	 * @param engine the docker driver's container engine the node runs on (one of
	 * {@code coffer.provisioning.docker.hosts}); null for the other drivers, and for nodes made while there
	 * was one engine only, which run on the first
	 */
	public record DriverData(String driver, String name, String kind, String dir, Long pid, String engine) {

		public DriverData(String driver, String name, String kind, String dir, Long pid) {
			this(driver, name, kind, dir, pid, null);
		}

		public static final String REDIS = "redis";

		public static final String SENTINEL = "sentinel";

		public static final String HAPROXY = "haproxy";

		public DriverData withPid(Long pid) {
			return new DriverData(this.driver, this.name, this.kind, this.dir, pid, this.engine);
		}

	}

}
