package io.coffer.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.quartz.SchedulerConfigException;
import org.quartz.spi.ClassLoadHelper;
import org.quartz.spi.SchedulerSignaler;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.quartz.LocalDataSourceJobStore;
import org.springframework.scheduling.quartz.SchedulerFactoryBean;

/**
 * Spring's job store, with its data sources registered in Quartz's JVM-wide connection manager under
 * a name of their own. Spring names them after the scheduler, which every member of a cluster shares:
 * two instances in one JVM (the cluster tests) would otherwise both use the data source registered
 * last, and stop working when its instance closes.
 */
public class ContextLocalJobStore extends LocalDataSourceJobStore {

	private static final AtomicLong sequence = new AtomicLong();

	@Override
	public void initialize(ClassLoadHelper loadHelper, SchedulerSignaler signaler) throws SchedulerConfigException {
		DataSource transactional = SchedulerFactoryBean.getConfigTimeDataSource();
		DataSource nonTransactional = SchedulerFactoryBean.getConfigTimeNonTransactionalDataSource();
		DataSource plain = (nonTransactional != null) ? nonTransactional : transactional;
		super.initialize(loadHelper, signaler);
		String suffix = getInstanceName() + "#" + sequence.incrementAndGet();
		DBConnectionManager.getInstance()
			.addConnectionProvider(TX_DATA_SOURCE_PREFIX + suffix,
					provider(() -> DataSourceUtils.doGetConnection(transactional)));
		DBConnectionManager.getInstance().addConnectionProvider(NON_TX_DATA_SOURCE_PREFIX + suffix, provider(plain::getConnection));
		setDataSource(TX_DATA_SOURCE_PREFIX + suffix);
		setNonManagedTXDataSource(NON_TX_DATA_SOURCE_PREFIX + suffix);
	}

	private static ConnectionProvider provider(ConnectionSource source) {
		return new ConnectionProvider() {

			@Override
			public Connection getConnection() throws SQLException {
				return source.get();
			}

			@Override
			public void shutdown() {
				// the data source belongs to the application context, which closes it
			}

			@Override
			public void initialize() {
			}

		};
	}

	@FunctionalInterface
	private interface ConnectionSource {

		Connection get() throws SQLException;

	}

}
