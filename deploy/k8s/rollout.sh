#!/bin/sh
# Deploys (or upgrades) Activateurs on Kubernetes in the only safe order: PostgreSQL and RabbitMQ,
# then each service's migration Job (`activateurs-<name> migrate`), and only once they all completed,
# the services (`serve --no-migrate`), rolled out one pod at a time per Deployment (never below its
# ready replicas), and once they all serve, the web frontend.
# Usage: deploy/k8s/rollout.sh [kustomization directory, default deploy/k8s/overlays/production]
# Needs kubectl (with its built-in kustomize) and the Secrets of deploy/k8s/secrets.example/ created.
set -eu

KUSTOMIZATION=${1:-$(dirname "$0")/overlays/production}
NAMESPACE=activateurs
MIGRATION='app.kubernetes.io/component=migration'

# 1. Namespace, settings, PostgreSQL, RabbitMQ, network policies: everything but the services' API
#    objects, the web's (it needs this release's APIs) and the Jobs (objects without a component
#    label match `notin` too).
kubectl apply -k "$KUSTOMIZATION" -l 'app.kubernetes.io/component notin (api,frontend,migration)'
kubectl -n "$NAMESPACE" rollout status statefulset/postgres --timeout=10m
kubectl -n "$NAMESPACE" rollout status statefulset/rabbitmq --timeout=15m

# 2. Migrations. A Job's pod template cannot change: the previous release's Jobs are deleted so that
#    this release's images migrate. Migrations must stay compatible with the release still serving
#    (add first, remove a release later), since its pods keep running until step 3 replaces them.
kubectl -n "$NAMESPACE" delete job -l "$MIGRATION" --ignore-not-found --wait=true
kubectl apply -k "$KUSTOMIZATION" -l "$MIGRATION"
if ! kubectl -n "$NAMESPACE" wait --for=condition=complete job -l "$MIGRATION" --timeout=15m; then
    echo "a migration did not complete: kubectl -n $NAMESPACE logs job/<service>-migrate" >&2
    exit 1
fi

# 3. The services: Deployments (rolling, never below their ready replicas), Services, budgets.
kubectl apply -k "$KUSTOMIZATION" -l 'app.kubernetes.io/component notin (frontend)'
for deployment in registration validation directory contact-relay notifier; do
    kubectl -n "$NAMESPACE" rollout status "deployment/$deployment" --timeout=10m
done

# 4. The web, once this release's APIs all serve: its pages may call what they have just added. Its
#    pods are ready once registration, directory and contact-relay answer.
kubectl apply -k "$KUSTOMIZATION"
kubectl -n "$NAMESPACE" rollout status deployment/web --timeout=10m
