# Reference values for src/core/power/simulate-power.test.ts: the marginal (population-averaged)
# rate and proportion-scale ICC of the latent logit-normal cluster model, by adaptive quadrature
# (R's integrate), to check pilot-eval's Gauss-Hermite rule.
# Run: Rscript test/data/simulate-power-marginal.R
marg <- function(p, icc) {
  s <- sqrt(icc / (1 - icc) * pi^2 / 3)
  f1 <- function(u) plogis(qlogis(p) + u) * dnorm(u, 0, s)
  m1 <- integrate(f1, -Inf, Inf, rel.tol = 1e-13)$value
  f2 <- function(u) (plogis(qlogis(p) + u) - m1)^2 * dnorm(u, 0, s)
  v <- integrate(f2, -Inf, Inf, rel.tol = 1e-13)$value
  c(mean = m1, variance = v, icc = v / (m1 * (1 - m1)))
}
for (a in list(c(0.35, 0.027), c(0.288, 0.027), c(0.4, 0.05), c(0.25, 0.05), c(0.1, 0.2), c(0.6, 0.5))) {
  r <- marg(a[1], a[2])
  cat(sprintf("p = %s, icc = %s: mean %.15g variance %.15g icc %.15g\n", a[1], a[2], r[["mean"]], r[["variance"]], r[["icc"]]))
}

# The formula the simulation is compared with in the cluster test: clusterPower::cpa.binary with
# the marginal rates and the pooled proportion-scale ICC (V1 + V2) / (p1 q1 + p2 q2) of the latent
# model with p1 .4, p2 .25, latent ICC .05, 8 clusters of 50 per arm. With PKGSRC set as in
# bench/power-plan-reference.R, cpa.binary itself; its formula written out otherwise.
a <- marg(0.4, 0.05); b <- marg(0.25, 0.05)
icc <- (a[["variance"]] + b[["variance"]]) / (a[["mean"]] * (1 - a[["mean"]]) + b[["mean"]] * (1 - b[["mean"]]))
cat(sprintf("pooled marginal icc %.15g\n", icc))
f <- file.path(Sys.getenv("PKGSRC", "/tmp/pkgsrc"), "clusterPower", "R", "cpa.binary.R")
if (file.exists(f)) {
  source(f)
  cat(sprintf("cpa.binary(nclusters = 8, nsubjects = 50, p1, p2, ICC) %.15g\n",
    cpa.binary(nclusters = 8, nsubjects = 50, p1 = a[["mean"]], p2 = b[["mean"]], ICC = icc)))
}
se <- sqrt((1 + 49 * icc) * (a[["mean"]] * (1 - a[["mean"]]) + b[["mean"]] * (1 - b[["mean"]])) / (8 * 50))
cat(sprintf("t formula on 14 df %.15g\n", pt(qt(0.975, 14), 14, ncp = abs(a[["mean"]] - b[["mean"]]) / se, lower.tail = FALSE)))
