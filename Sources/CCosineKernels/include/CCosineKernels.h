#ifndef CCOSINEKERNELS_H
#define CCOSINEKERNELS_H

// CCosineKernels: the C kernels of CosineKit, one target with one CPU detection and one level
// (ck_cpu.h) for every kernel. Each concern has its header and its source folder:
//
//   ck_cpu.h       cpu/       CPU detection, the kernel level and its per-thread limit
//   ck_convert.h   convert/   float <-> half and bfloat16
//   ck_rows.h      rows/      row-wise sums, gradients and scaling (CosineKit's element-wise ops)
//   ck_gemm.h      gemm/      packed panels, the all-pairs GEMM and exact top-k search
//   ck_loss.h      loss/      the streaming batch losses' gradient GEMM and softmax rows
//   ck_quant.h     quant/     int8 and binary first passes of the index search
//   ck_analysis.h  analysis/  centroid sums of the analyses
//   ck_memory.h    memory/    huge-page advice, malloc arena limit
//   ck_status.h               the status codes of kernels that can fail
#include "ck_analysis.h"
#include "ck_convert.h"
#include "ck_cpu.h"
#include "ck_encoder.h"
#include "ck_gemm.h"
#include "ck_loss.h"
#include "ck_memory.h"
#include "ck_quant.h"
#include "ck_rows.h"
#include "ck_status.h"
#endif
