# Reference values for src/core/matching/matching.test.ts, by hand in R: glm + a greedy
# nearest-neighbour loop following MatchIt's documented algorithm (matchit(method = "nearest",
# distance = "glm", link = "linear.logit", m.order = "largest", caliper in SDs of the logit over the
# units not discarded; ratio > 1 without replacement matched in rounds; ATT weights).
# Why by hand: MatchIt 4.5.1 (Debian r-cran-matchit) matches pairs farther apart than the caliper
# (17 of 149 pairs in scenario A; see bench/match-reference.R), consistent with an integer abs() in
# its C++ distance comparison, so it cannot serve as the reference for the caliper.
# Run: Rscript bench/match-hand-reference.R
options(digits = 15)
tr <- read.csv("test/data/match-treated.csv"); tr$treat <- 1L
pool <- read.csv("test/data/match-pool.csv"); pool$treat <- 0L
d <- rbind(tr, pool)
f <- treat ~ age + sex + ogrs3 + prior_convictions
g <- glm(f, family = binomial, data = d)
lp <- predict(g, type = "link")
num <- function(id) as.numeric(substr(id, 2, 5))
hand <- function(label, ratio = 1, replace = FALSE, discard = "both", caliper = 0.2, intabs = FALSE) {
  A <- if (intabs) function(x) trunc(abs(x)) else abs
  t1 <- d$treat == 1
  rt <- range(lp[t1]); rc <- range(lp[!t1])
  disc <- rep(FALSE, nrow(d))
  if (discard %in% c("treated", "both")) disc <- disc | (t1 & (lp < rc[1] | lp > rc[2]))
  if (discard %in% c("control", "both")) disc <- disc | (!t1 & (lp < rt[1] | lp > rt[2]))
  cal <- if (is.null(caliper)) Inf else caliper * sd(lp[!disc])
  ord <- which(t1 & !disc); ord <- ord[order(lp[ord], decreasing = TRUE)]
  used <- rep(FALSE, nrow(d))
  mm <- matrix(NA_integer_, nrow(d), ratio)
  for (r in 1:ratio) for (i in ord) {
    if (r > 1 && is.na(mm[i, r - 1])) next
    elig <- which(!t1 & !disc & (replace | !used))
    if (r > 1) elig <- setdiff(elig, mm[i, 1:(r - 1)])
    dist <- abs(lp[elig] - lp[i])
    if (intabs) {
      # MatchIt walks outward from the treated unit and stops at the first available control beyond
      # the caliper on each side; with an integer abs() none is ever beyond a caliper below 1.
      elig <- elig[A(lp[elig] - lp[i]) <= cal]
    } else elig <- elig[abs(lp[elig] - lp[i]) <= cal]
    if (!length(elig)) next
    dist <- abs(lp[elig] - lp[i])
    k <- elig[which(dist == min(dist))[1]]
    if (intabs) {
      # MatchIt 4.5.1's choice between the nearest eligible control on each side, with the same abs()
      l <- elig[lp[elig] < lp[i]]; rr <- elig[lp[elig] > lp[i]]
      l <- if (length(l)) l[which.max(lp[l])] else NA; rr <- if (length(rr)) rr[which.min(lp[rr])] else NA
      k <- if (!is.na(l) && !is.na(rr)) (if (A(lp[l] - lp[i]) <= A(lp[rr] - lp[i])) l else rr) else if (!is.na(l)) l else rr
    }
    mm[i, r] <- k; used[k] <- TRUE
  }
  w <- rep(0, nrow(d))
  for (i in ord) { cs <- mm[i, !is.na(mm[i, ])]; if (length(cs)) { w[i] <- 1; w[cs] <- w[cs] + 1 / length(cs) } }
  w[!t1] <- w[!t1] * sum(w[!t1] > 0) / sum(w[!t1])
  ctl <- which(!t1 & w > 0)
  pairs <- 0; for (j in 1:ratio) { ok <- !is.na(mm[, j]); pairs <- pairs + sum(num(d$id[ok]) * num(d$id[mm[ok, j]])) }
  cat("\n==", label, "==\n")
  cat("caliper (logit):", cal, " discarded treated/pool:", sum(disc & t1), sum(disc & !t1), "\n")
  cat("matched treated:", sum(t1 & w > 0), " matched controls:", length(ctl), " unmatched treated:", sum(t1 & !disc & w == 0), "\n")
  cat("fingerprint: sum(id) =", sum(num(d$id[ctl])), " sum(id^2) =", sum(num(d$id[ctl])^2), " sum(weight*id) =", sum(w[ctl] * num(d$id[ctl])), " pairs =", pairs, "\n")
  x <- model.matrix(f, d)[, -1]; x <- cbind(x, logit_propensity = lp)
  sdp <- sqrt((apply(x[t1, ], 2, var) + apply(x[!t1, ], 2, var)) / 2)
  wm <- function(sel) colSums(x[sel, ] * w[sel]) / sum(w[sel])
  mt <- wm(t1 & w > 0); mc <- wm(!t1 & w > 0)
  cat("means treated after:", mt, "\nmeans control after:", mc, "\n")
  cat("smd_before:", (colMeans(x[t1, ]) - colMeans(x[!t1, ])) / sdp, "\nsmd_after:", (mt - mc) / sdp, "\n")
  md <- d[w > 0, ]; md$w <- w[w > 0]
  o <- suppressWarnings(glm(reoffended ~ treat, family = binomial, data = md, weights = w))
  cat("glm(reoffended ~ treat, binomial, weights = w) log OR:", coef(o)[2], " se:", sqrt(vcov(o)[2, 2]), "\n")
  cat("weighted rates:", weighted.mean(md$reoffended[md$treat == 1], md$w[md$treat == 1]), weighted.mean(md$reoffended[md$treat == 0], md$w[md$treat == 0]), "\n")
  invisible(list(mm = mm, w = w))
}
cat("glm coef:", coef(g), "\nglm se:", sqrt(diag(vcov(g))), "\n")
hand("A: 1:1, no replacement, discard both")
hand("B: 1:2, no replacement, discard both", ratio = 2)
hand("C: 1:2, replacement, discard both", ratio = 2, replace = TRUE)
hand("D: 1:1, no replacement, discard none", discard = "none")
hand("E: 1:1, no caliper, discard none", discard = "none", caliper = NULL)
hand("A-intabs: emulating an integer abs() in the caliper test (compare MatchIt 4.5.1 scenario A)", intabs = TRUE)
