package io.coffer.web;

import java.util.List;

import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The plans databases can be provisioned from; any valid token may read them (the filter requires one). */
@RestController
@RequestMapping("/api/v1/plans")
class PlanController {

	private final PlanCatalogue plans;

	PlanController(PlanCatalogue plans) {
		this.plans = plans;
	}

	record PlanView(String name, int memoryMb, int nodes, int sentinels, Retention retention,
			List<Integer> everyHours, boolean pitr) {

		record Retention(int daily, int weekly, int monthly, int manual) {
		}

		static PlanView of(Plan plan) {
			Plan.Retention retention = plan.retention();
			return new PlanView(plan.name(), plan.memoryMb(), plan.nodes(), plan.sentinels(), new Retention(
					retention.daily(), retention.weekly(), retention.monthly(), retention.manual()), plan.everyHours(),
					plan.pitr());
		}

	}

	@GetMapping
	List<PlanView> list() {
		return this.plans.all().stream().map(PlanView::of).toList();
	}

}
