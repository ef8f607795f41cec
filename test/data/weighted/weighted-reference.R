# Weighted count and continuous measures after matching, the reference values of
# test/analysis/weighted-measures.test.ts (R 4.2.2, MatchIt, sandwich). MatchIt::lalonde matched on
# the usual covariates; re78 is the continuous outcome and reoffences = floor(re78 / 5000) a count.
# Run from test/data/weighted: Rscript weighted-reference.R > weighted-reference.out
suppressMessages({ library(MatchIt); library(sandwich) })
options(digits = 15)
data("lalonde", package = "MatchIt")
f <- treat ~ age + educ + race + married + nodegree + re74 + re75
out <- function(label, md, cluster) {
  md$reoffences <- floor(md$re78 / 5000)
  file <- data.frame(id = rownames(md), arm = ifelse(md$treat == 1, "treatment", "control"), weight = md$weights,
                     subclass = if (cluster) md$subclass else NA, age = md$age, re78 = md$re78, reoffences = md$reoffences)
  if (!cluster) file$subclass <- NULL   # with replacement MatchIt writes no matched sets
  write.csv(file, paste0("lalonde-", label, ".csv"), row.names = FALSE)
  V <- function(fit) if (cluster) vcovCL(fit, cluster = ~subclass, type = "HC0") else vcovHC(fit, type = "HC0")
  for (y in c("re78", "reoffences")) {
    fit <- lm(as.formula(paste(y, "~ treat")), data = md, weights = weights)
    cat(sprintf("%s %s: b %.15g se %.15g\n", label, y, coef(fit)[2], sqrt(V(fit)[2, 2])))
  }
  fit <- lm(re78 ~ treat + age, data = md, weights = weights)
  cat(sprintf("%s re78_adj_age: b %.15g se %.15g\n", label, coef(fit)[2], sqrt(V(fit)[2, 2])))
  # Weighted pooled SD: within-arm weighted variances v_a = sum w (y - m_a)^2 / sum w (cov.wt, method = "ML"),
  # pooled s^2 = (n_t v_t + n_c v_c) / (n_t + n_c - 2); Hedges' g = J b / s, J = 1 - 3 / (4 (n - 2) - 1).
  vw <- function(a) { d <- md[md$treat == a, ]; cov.wt(matrix(d$re78), wt = d$weights / sum(d$weights), method = "ML")$cov[1, 1] }
  nt <- sum(md$treat == 1); nc <- sum(md$treat == 0)
  s <- sqrt((nt * vw(1) + nc * vw(0)) / (nt + nc - 2))
  cat(sprintf("%s re78_pooled_sd: %.15g n_t %d n_c %d\n", label, s, nt, nc))
}
m1 <- matchit(f, data = lalonde, method = "nearest")                              # 1:1, no replacement: subclass
out("pairs", match.data(m1), TRUE)
m2 <- matchit(f, data = lalonde, method = "nearest", ratio = 2, replace = TRUE)  # 1:2 with replacement: weights, HC0
out("replace", match.data(m2), FALSE)
