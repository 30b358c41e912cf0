// PATCH engine entry points (RFC 7644 §3.5.2), pure. Operations are applied strictly in order
// (Entra's validator sends several operations on one attribute in one PATCH); the whole request
// is atomic: the caller discards everything when one throws.
export { parsePatchRequest, type PatchOp } from './request.ts';
export { applyUserPatch } from './user-patch.ts';
export { applyGroupPatch, type MemberChange } from './group-patch.ts';
