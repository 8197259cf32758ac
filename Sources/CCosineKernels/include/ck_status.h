#ifndef CK_STATUS_H
#define CK_STATUS_H

// What the kernels that can fail return: 0 on success, otherwise the reason. A kernel that fails
// leaves its outputs unspecified; the caller reports the failure (it never passes silently).
enum {
  /// Success.
  CK_OK = 0,
  /// A scratch allocation failed (out of memory).
  CK_ERROR_ALLOCATION = 1,
  /// A panel width (or query width) no kernel of this CPU reads.
  CK_ERROR_PANEL_WIDTH = 2,
};
#endif
