# Reference values for src/core/matching/matching.test.ts from R MatchIt 4.5.1 (Debian r-cran-matchit).
# Run: Rscript bench/match-reference.R
suppressMessages(library(MatchIt))
options(digits = 15)
tr <- read.csv("test/data/match-treated.csv"); tr$treat <- 1L
pool <- read.csv("test/data/match-pool.csv"); pool$treat <- 0L
d <- rbind(tr, pool)
f <- treat ~ age + sex + ogrs3 + prior_convictions
g <- glm(f, family = binomial, data = d)
cat("glm coef:", coef(g), "\nglm se:", sqrt(diag(vcov(g))), "\n")
run <- function(label, ...) {
  m <- matchit(f, data = d, method = "nearest", distance = "glm", link = "linear.logit",
               caliper = 0.2, m.order = "largest", ...)
  md <- match.data(m)
  s <- summary(m)
  cat("\n==", label, "==\n")
  cat("nn:", s$nn["Matched", ], " unmatched:", s$nn["Unmatched", ], " discarded:", s$nn["Discarded", ], "\n")
  cat("caliper (logit units):", m$caliper, "\n")
  ctl <- md[md$treat == 0, ]
  num <- function(id) as.numeric(substr(id, 2, 5))
  cat("fingerprint: n =", nrow(ctl), " sum(id) =", sum(num(ctl$id)), " sum(id^2) =", sum(num(ctl$id)^2),
      " sum(weight*id) =", sum(ctl$weights * num(ctl$id)), "\n")
  mm <- m$match.matrix
  pairs <- 0; for (j in seq_len(ncol(mm))) { ok <- !is.na(mm[, j]); pairs <- pairs + sum(num(d$id[as.integer(rownames(mm)[ok])]) * num(d$id[as.integer(mm[ok, j])])) }
  cat("pairs: sum(t_id * c_id) =", pairs, "\n")
  cat("controls:", paste(sort(ctl$id), collapse = ","), "\n")
  cat("control weights:", paste(sprintf("%s=%.12g", ctl$id[order(ctl$id)], ctl$weights[order(ctl$id)]), collapse = ","), "\n")
  cat("unmatched treated:", paste(sort(setdiff(tr$id, md$id[md$treat == 1])), collapse = ","), "\n")
  sm <- s$sum.matched
  cat("matched means treated:", sm[, "Means Treated"], "\nmatched means control:", sm[, "Means Control"], "\n")
  cat("rownames:", rownames(sm), "\n")
  # Pooled-SD SMD with the full-sample variances (pilot-eval's definition)
  x <- model.matrix(f, d)[, -1]
  sdp <- sqrt((apply(x[d$treat == 1, ], 2, var) + apply(x[d$treat == 0, ], 2, var)) / 2)
  mx <- model.matrix(f, md)[, -1]
  wt <- function(v, w) sum(v * w) / sum(w)
  smd_after <- sapply(colnames(mx), function(j) (wt(mx[md$treat == 1, j], md$weights[md$treat == 1]) - wt(mx[md$treat == 0, j], md$weights[md$treat == 0])) / sdp[j])
  smd_before <- (colMeans(x[d$treat == 1, ]) - colMeans(x[d$treat == 0, ])) / sdp
  cat("smd_before:", smd_before, "\nsmd_after:", smd_after, "\n")
  # Matched-sample estimate: weighted logistic regression and the weighted risk difference
  o <- glm(reoffended ~ treat, family = quasibinomial, data = md, weights = weights)
  cat("glm(reoffended ~ treat, quasibinomial, weights) log OR:", coef(o)[2], "\n")
  o2 <- suppressWarnings(glm(reoffended ~ treat, family = binomial, data = md, weights = weights))
  cat("glm binomial weights: log OR", coef(o2)[2], " se", sqrt(vcov(o2)[2, 2]), "\n")
  cat("weighted RD:", wt(md$reoffended[md$treat == 1], md$weights[md$treat == 1]) - wt(md$reoffended[md$treat == 0], md$weights[md$treat == 0]), "\n")
}
run("A: 1:1, no replacement, discard both", discard = "both")
run("B: 1:2, no replacement, discard both", discard = "both", ratio = 2)
run("C: 1:2, replacement, discard both", discard = "both", ratio = 2, replace = TRUE)
run("D: 1:1, no replacement, discard none", discard = "none")
