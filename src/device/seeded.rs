//! INIT's random parameters, drawn alone.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor};

/// The module `init` builds (INIT's random parameters), drawn from `device`'s generator seeded
/// by `seed` with no other thread's draw in between. burn keeps one generator per backend for
/// the whole process, and draws a parameter only when it is first used: two runs starting at
/// once (tests side by side, a page's sessions) would take each other's numbers, and the same
/// seed would not give the same parameters. So every parameter is drawn here, alone.
pub fn seeded<M: Module>(device: &Device, seed: u64, init: impl FnOnce() -> M) -> M {
    /// Draws each parameter of a module now (reading it is what draws it).
    struct Draw;
    impl ModuleVisitor for Draw {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            param.val();
        }
    }
    static DRAWING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _alone = DRAWING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    device.seed(seed);
    let module = init();
    module.visit(&mut Draw);
    module
}

#[cfg(test)]
mod tests {
    use burn::nn::LinearConfig;

    /// Eight threads INIT at once, each seeded 42: each draws the same parameters.
    #[test]
    fn the_same_seed_draws_the_same_parameters_while_other_threads_draw() {
        let device = super::super::cpu().expect("a CPU backend").device;
        let draw = || {
            let layer = super::seeded(&device, 42, || LinearConfig::new(64, 64).init(&device));
            layer
                .weight
                .val()
                .into_data()
                .iter::<f32>()
                .collect::<Vec<_>>()
        };
        let drawn: Vec<Vec<f32>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..8).map(|_| scope.spawn(draw)).collect();
            threads
                .into_iter()
                .map(|thread| thread.join().unwrap())
                .collect()
        });
        assert!(drawn.iter().all(|parameters| *parameters == drawn[0]));
    }
}
