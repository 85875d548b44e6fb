namespace VqVae.Codec.Prior

/// A rectangle of the code grid that the prior evaluates independently of the others.
[<Struct>]
type Tile = { Top: int; Left: int; Height: int; Width: int }

/// How the code grid is split into tiles (spec/prior.md §2): tiles of Side x Side codes in raster order, the
/// last row and column of tiles cut to the grid; Side = 0 means one tile, the whole grid. Tiles are
/// independent, so the decoder evaluates them together, one position of each per step; every tile
/// border costs the context across it.
[<RequireQualifiedAccess>]
module Tiling =
    /// The tiles of a height x width grid.
    let tiles (side: int) (height: int) (width: int) : Tile[] =
        if side <= 0 then
            [| { Top = 0; Left = 0; Height = height; Width = width } |]
        else
            [| for top in 0 .. side .. height - 1 do
                   for left in 0 .. side .. width - 1 ->
                       { Top = top; Left = left; Height = min side (height - top); Width = min side (width - left) } |]

    /// Flat grid position of raster index `t` of a tile.
    let inline gridPosition (gridWidth: int) (tile: Tile) (t: int) =
        (tile.Top + t / tile.Width) * gridWidth + tile.Left + t % tile.Width

    /// The coding steps: step t holds raster index t of every tile that has more than t positions,
    /// tiles in raster order.
    let steps (side: int) (height: int) (width: int) : int[][] =
        let all = tiles side height width
        let longest = all |> Array.map (fun t -> t.Height * t.Width) |> Array.max

        [| for t in 0 .. longest - 1 ->
               [| for tile in all do
                      if t < tile.Height * tile.Width then gridPosition width tile t |] |]
