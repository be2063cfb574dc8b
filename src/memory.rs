//! Giving freed memory back to the kernel. glibc keeps what a thread frees in that thread's
//! arena (and freed pages below the top of the heap) resident, so after a large transient
//! allocation (the manifests' located YAML trees, a fetched vendor list, a plan) the resident
//! size stays at its peak; the daemon at rest would carry its last reconcile's peak forever.
//!
//! Only this module holds `unsafe`; it frees nothing itself and touches no live allocation.

/// Returns free pages of every arena to the kernel (glibc only; elsewhere a no-op).
pub(crate) fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only returns free pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
