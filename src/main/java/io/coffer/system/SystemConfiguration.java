package io.coffer.system;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SystemConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	/**
	 * The configured instance id, or the host name with a random suffix: two instances on one host, or a
	 * restarted one, must never share a name, or the others could not tell that one of them stopped.
	 */
	@Bean
	CofferInstance cofferInstance(ServiceProperties service, Clock clock) {
		String id = service.instanceId();
		if (id.isEmpty()) {
			byte[] suffix = new byte[4];
			new SecureRandom().nextBytes(suffix);
			id = hostName() + "-" + HexFormat.of().formatHex(suffix);
		}
		return new CofferInstance(id, clock.instant());
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "coffer";
		}
	}

}
