/**
 * The local control plane used by tests, the demo and `kopf-ts cluster`: the public pieces of src/cluster.
 */
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export { findBinaries, locateBinaries, buildBinaries, cacheRoot, KUBERNETES_VERSION, type ControlPlaneBinaries } from './binaries.ts';
export {
  claimInstance,
  clusterHome,
  checkInstanceName,
  defaultKubeconfigPath,
  findInstance,
  isAlive,
  listInstances,
  DEFAULT_INSTANCE,
  type InstanceClaim,
  type InstanceState,
} from './instances.ts';
export { fileIdentity, makePrivateDir } from './files.ts';
