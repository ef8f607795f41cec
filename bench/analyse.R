# The R pipeline that
#   pilot-eval analyse DIR/cases.csv --offences DIR/offences.csv --outcome reoffended \
#     --covariates age,ogrs3 --cluster team
# replaces, on the same files: data.table for reading and the proven re-offending derivation (as
# bench/reoffending.R), then prop.test (risk difference), fisher.test, glm (adjusted odds ratio),
# sandwich::vcovCL (cluster-robust SE, HC0 with G/(G-1)), lme4::lmer (ICC, REML) and a t-test on
# cluster proportions. No input validation. Prints one JSON line of the key numbers so that
# bench/run.mjs can check them against pilot-eval (relative 1e-4).
# Usage: Rscript bench/analyse.R DIR [--no-lmer]
suppressPackageStartupMessages({ library(sandwich); library(lme4) })
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "proven-dt.R"))
args <- commandArgs(TRUE)
dir <- args[1]
p <- proven_dt(dir, c("id", "arm", "team", "start_date", "age", "ogrs3"))
cases <- p$cases; off <- p$off; as_of <- p$as_of
hit <- unique(off$id)
d <- cases[as_of >= s + FU + WAIT]
d[, reoffended := as.integer(id %in% hit)]
d[, treat := as.integer(arm == "treatment")]
# Risk difference (prop.test without continuity correction) and Fisher's exact test.
tab <- d[, .(x = sum(reoffended), n = .N), keyby = treat]
pt <- prop.test(tab$x[2:1], tab$n[2:1], correct = FALSE)
ft <- fisher.test(matrix(c(tab$x[2], tab$n[2] - tab$x[2], tab$x[1], tab$n[1] - tab$x[1]), 2))
# Adjusted logistic regression and its cluster-robust variance.
fit <- glm(reoffended ~ treat + age + ogrs3, family = binomial, data = d)
se_glm <- sqrt(vcov(fit)["treat", "treat"])
se_cl <- sqrt(vcovCL(fit, cluster = ~team, type = "HC0")["treat", "treat"])
# ICC from a linear random-intercept model (REML), as pilot-eval reports it.
icc <- NA_real_
if (!("--no-lmer" %in% args)) {
  m <- lmer(reoffended ~ treat + (1 | team), data = d, REML = TRUE)
  vc <- as.data.frame(VarCorr(m))$vcov
  icc <- vc[1] / sum(vc)
}
# Cluster-level analysis: t-test on the cluster proportions.
cl <- d[, .(p = mean(reoffended), treat = treat[1]), by = team]
tt <- t.test(cl$p[cl$treat == 1], cl$p[cl$treat == 0], var.equal = TRUE)
cat(sprintf('{"risk_difference": %.12g, "risk_difference_p": %.12g, "fisher_p": %.12g, "adjusted_odds_ratio": %.12g, "adjusted_se": %.12g, "cluster_robust_se": %.12g, "icc": %s, "cluster_level_risk_difference": %.12g}\n',
  unname(pt$estimate[1] - pt$estimate[2]), pt$p.value, ft$p.value, exp(coef(fit)[["treat"]]), se_glm, se_cl,
  if (is.na(icc)) "null" else sprintf("%.12g", icc),
  unname(tt$estimate[1] - tt$estimate[2])))
