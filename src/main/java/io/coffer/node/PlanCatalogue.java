package io.coffer.node;

import java.time.Period;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;


import org.springframework.beans.factory.config.YamlMapFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The plans of {@code plans.yml}: the file packaged with the service, or the operator's own when
 * {@code coffer.plans-file} names one. Read once at start-up; a plan that makes no sense stops the
 * service with a sentence naming it, rather than failing the first provisioning that uses it.
 */
@Component
public class PlanCatalogue {

	private final Map<String, Plan> plans;

	PlanCatalogue(PlansProperties properties) {
		Resource file = (properties.plansFile() != null) ? new FileSystemResource(properties.plansFile())
				: new ClassPathResource("plans.yml");
		this.plans = read(file);
	}

	public List<Plan> all() {
		return List.copyOf(this.plans.values());
	}

	public Optional<Plan> find(String name) {
		return Optional.ofNullable(this.plans.get(name));
	}

	/**
	 * The intervals of periodic backups a database of this plan may choose; a database without a plan of
	 * ours (a registered one) may choose any: its operator runs its nodes.
	 */
	public List<Integer> everyHoursAllowed(String planName) {
		return (planName == null) ? Plan.EVERY_HOURS
				: find(planName).map(Plan::everyHours).orElse(Plan.EVERY_HOURS);
	}

	static Map<String, Plan> read(Resource file) {
		if (!file.exists()) {
			throw new IllegalStateException("the plans file " + file.getDescription() + " does not exist");
		}
		YamlMapFactoryBean yaml = new YamlMapFactoryBean();
		yaml.setResources(file);
		Map<String, Object> content = yaml.getObject();
		Object list = (content != null) ? content.get("plans") : null;
		if (!(list instanceof List<?> entries) || entries.isEmpty()) {
			throw new IllegalStateException("the plans file " + file.getDescription() + " lists no plans under 'plans:'");
		}
		Map<String, Plan> plans = new LinkedHashMap<>();
		for (Object entry : entries) {
			Plan plan = plan(asMap(entry, "a plan"));
			if (plans.put(plan.name(), plan) != null) {
				throw new IllegalStateException("the plans file lists " + plan.name() + " twice");
			}
		}
		return Collections.unmodifiableMap(plans);
	}

	private static Plan plan(Map<?, ?> entry) {
		String name = String.valueOf(entry.get("name"));
		if (!name.matches("[a-z0-9][a-z0-9-]*")) {
			throw new IllegalStateException("the plan name '" + name + "' must be lower-case letters, digits and dashes");
		}
		int nodes = number(entry, "nodes", name);
		int sentinels = number(entry, "sentinels", name);
		int haproxy = number(entry, "haproxy", name);
		if (nodes == 1 && (sentinels != 0 || haproxy != 0)) {
			throw new IllegalStateException("plan " + name + " has one node: it cannot have sentinels or HAProxy");
		}
		if (nodes == 2 && (sentinels != 3 || haproxy != 2)) {
			throw new IllegalStateException("plan " + name + " has a replica: it needs 3 sentinels and 2 HAProxy");
		}
		if (nodes < 1 || nodes > 2) {
			throw new IllegalStateException("plan " + name + " must have 1 or 2 nodes, not " + nodes);
		}
		Map<?, ?> retention = asMap(entry.get("retention"), "the retention of plan " + name);
		return new Plan(name, number(entry, "memory-mb", name), nodes, sentinels, haproxy,
				new Plan.Retention(number(retention, "daily", name), number(retention, "weekly", name),
						number(retention, "monthly", name), number(retention, "manual", name),
						Period.parse(String.valueOf(retention.get("after-deletion")))),
				everyHours(entry.get("every-hours"), name), pitr(entry.get("pitr"), name));
	}

	/** {@code pitr: true}; without it, off. */
	private static boolean pitr(Object value, String plan) {
		if (value == null) {
			return false;
		}
		if (!(value instanceof Boolean on)) {
			throw new IllegalStateException("plan " + plan + " needs true or false for 'pitr', not " + value);
		}
		return on;
	}

	/** {@code every-hours: [24, 12]}; without it, daily backups only, as before the setting existed. */
	private static List<Integer> everyHours(Object value, String plan) {
		if (value == null) {
			return List.of(24);
		}
		if (!(value instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(Plan.EVERY_HOURS::contains)) {
			throw new IllegalStateException("plan " + plan + " needs 'every-hours' to list some of " + Plan.EVERY_HOURS
					+ ", not " + value);
		}
		return list.stream().map(Integer.class::cast).distinct().sorted(Comparator.reverseOrder()).toList();
	}

	private static int number(Map<?, ?> map, String key, String plan) {
		Object value = map.get(key);
		if (!(value instanceof Integer number) || number < 0) {
			throw new IllegalStateException("plan " + plan + " needs a whole number for '" + key + "', not " + value);
		}
		return number;
	}

	private static Map<?, ?> asMap(Object value, String what) {
		if (value instanceof Map<?, ?> map) {
			return map;
		}
		throw new IllegalStateException(what + " in the plans file is not a map of settings");
	}

}
