/* Subject access on the desk (sar.c): a person's export previewed by a
 * manager, and a SAR case's state, extension and release. */
#ifndef CH_HTTP_SAR_H
#define CH_HTTP_SAR_H

#include "http/desk.h"

/* GET /api/v1/people/{id}/export: the zip, for managers. */
enum MHD_Result ch_http_person_export(ch_req *r, int64_t id);
/* GET /api/v1/cases/{id}/sar: due time, extension and the export released. */
enum MHD_Result ch_http_sar_get(ch_req *r, int64_t id);
/* POST /api/v1/cases/{id}/sar/extend {"reason"}: two more months (managers). */
enum MHD_Result ch_http_sar_extend(ch_req *r, int64_t id);
/* GET /api/v1/cases/{id}/sar/export: the export release would make, to
 * check before releasing (the assigned officer or a manager). */
enum MHD_Result ch_http_sar_preview(ch_req *r, int64_t id);
/* POST /api/v1/cases/{id}/sar/release: builds, stores and records the export. */
enum MHD_Result ch_http_sar_release(ch_req *r, int64_t id);

#endif
